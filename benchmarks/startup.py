"""Start-up cost of every workflow script: seconds from process start to its first line of work, against a bare
``python -c "import torch"`` measured in the same run (ratios, since machines are noisy).

    python benchmarks/startup.py --repeats 5 --out benchmarks/results/startup_cpu2.csv

A script's start-up is its import block (everything above its first statement that is not an import), run as its
own process. Snakemake's own preamble of a ``script:`` job (``from snakemake import script`` and the unpickled job)
comes on top for every script alike; it is measured once as ``snakemake preamble`` for reference.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from robopt.provenance import cpu_model

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "workflow" / "scripts"
GOAL = 1.3  # no script's imports may cost more than this times bare torch


def import_block(path: Path) -> str:
    """The leading imports (and docstring) of a script: what runs before its first line of work."""
    tree = ast.parse(path.read_text())
    lines = path.read_text().splitlines()
    end = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ):
            end = node.end_lineno
        else:
            break
    return "\n".join(lines[:end])


def seconds(code: str, repeats: int) -> float:
    """Median wall seconds of ``python -c code`` (a fresh process each time, one thread as a job gets)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO / "src")}
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "startup.csv")
    args = parser.parse_args()
    baseline = seconds("import torch", args.repeats)
    rows = [{"script": "python -c 'import torch'", "seconds": baseline}]
    rows.append({"script": "snakemake preamble", "seconds": seconds("from snakemake import script", args.repeats)})
    for path in sorted(SCRIPTS.glob("*.py")):
        rows.append({"script": path.name, "seconds": seconds(import_block(path), args.repeats)})
        print(f"{path.name:36s} {rows[-1]['seconds']:6.2f} s", flush=True)
    table = pd.DataFrame(rows)
    table["ratio_to_bare_torch"] = table["seconds"] / baseline
    table["within_goal"] = table["ratio_to_bare_torch"] <= GOAL
    table["repeats"] = args.repeats
    table["cpus"] = os.cpu_count()
    table["host"] = cpu_model()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    print(table[["script", "seconds", "ratio_to_bare_torch", "within_goal"]].to_string(index=False))
    scripts = table.iloc[2:]
    print(f"worst script: {scripts['ratio_to_bare_torch'].max():.2f}x bare torch (goal <= {GOAL}x)")


if __name__ == "__main__":
    main()
