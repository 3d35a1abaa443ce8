"""Device choice, seeding and determinism switches shared by every entry point."""

from __future__ import annotations

import itertools
import os

import torch

from robopt.errors import RoboptError


def export_package_path(src: str) -> None:
    """Put the checkout's ``src`` first on the PYTHONPATH that jobs inherit, so a job's environment needs only the
    package's dependencies (a Snakemake-made conda environment has no robopt of its own)."""
    parts = [src] + [part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part and part != src]
    os.environ["PYTHONPATH"] = os.pathsep.join(parts)


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA when present, else CPU; an explicit but absent CUDA is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RoboptError("config asks for device 'cuda' but no CUDA device is available; use 'auto' or 'cpu'")
    return device


def make_deterministic(threads: int | None = None) -> None:
    """Bit-identical results on CPU for the same seed (and as far as CUDA allows)."""
    if threads:
        torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False


def model_device(model: torch.nn.Module) -> torch.device:
    """Where ``model`` lives: its first parameter's or buffer's device, the CPU for a model with neither (an external
    model may have no weights at all)."""
    tensor = next(itertools.chain(model.parameters(), model.buffers()), None)
    return tensor.device if tensor is not None else torch.device("cpu")
