"""What produced a figure or table: commit, date, device and config, written into the file and read back for the
report. Torch- and matplotlib-free, so that a table job starts in a fraction of a second."""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any


def git_commit() -> str:
    """The commit of the robopt code that ran (``-dirty`` with uncommitted changes): the package's checkout first,
    then the working directory's; "unknown" outside git."""
    for folder in (Path(__file__).resolve().parent, Path.cwd()):
        try:
            out = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                                 check=True, cwd=folder)
            return out.stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            continue
    return "unknown"


def cpu_model() -> str:
    """The CPU's model name and core count, e.g. ``AMD EPYC 7B13, x86_64, 2 cores``: 2-core machines of the same
    architecture differ by 1.2-1.4x in speed, so a timing names the model."""
    name = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    parts = [name, platform.machine() or platform.processor(), f"{os.cpu_count()} cores"]
    return ", ".join(part for part in parts if part)


def device_name() -> str:
    """The machine's first CUDA GPU by name, else ``CPU (<model>, <arch>, <n> cores)``; asks torch only where a job has
    imported it already, else ``nvidia-smi`` (a figure or table job does not import torch for this)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    else:
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                                 text=True, timeout=30)
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError):
            pass
    return f"CPU ({cpu_model()})"


def provenance(config: dict[str, Any] | None = None) -> dict[str, str]:
    """What produced a figure: commit, date, device, and the config it was computed with."""
    return {
        "commit": git_commit(),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "device": device_name(),
        "config": json.dumps(config or {}, sort_keys=True, default=str),
    }


PROVENANCE_KEYS = ("commit", "date", "device", "config")


def provenance_text(meta: dict[str, str]) -> str:
    """``commit=...; date=...; device=...; config={...}``: one line, the config (JSON) last."""
    return "; ".join(f"{key}={meta[key]}" for key in PROVENANCE_KEYS if key in meta)


def parse_provenance(text: str) -> dict[str, str]:
    """Inverse of :func:`provenance_text` (the config may itself contain '; ')."""
    meta = {}
    for part in text.split("; ", len(PROVENANCE_KEYS) - 1):
        key, _, value = part.partition("=")
        meta[key] = value
    return meta


def read_provenance(path: str | Path) -> dict[str, str]:
    """Provenance of a written figure (from the PNG beside it) or table (from the Markdown beside it)."""
    path = Path(path)
    if path.suffix in (".pdf", ".png"):
        from PIL import Image

        with Image.open(path.with_suffix(".png")) as image:
            return parse_provenance(image.info.get("Description", ""))
    markdown = path.with_suffix(".md")
    for line in markdown.read_text().splitlines() if markdown.exists() else []:
        if line.startswith(TABLE_PROVENANCE_PREFIX):
            return parse_provenance(line[len(TABLE_PROVENANCE_PREFIX) :])
    return {}


TABLE_PROVENANCE_PREFIX = "Provenance: "
