"""Wall time, system time and page faults of demo jobs under each glibc malloc setting of ``robopt.allocator``,
against glibc's defaults in the same run (ratios, since machines are noisy).

    python benchmarks/allocator.py --repeats 2 --out benchmarks/results/allocator_cpu2.csv

Three kinds of job, as the demo DAG runs them (``snakemake --cores 1 --forcerun <rule> <target>`` in a scratch
copy of the repository whose upstream files are built once, untimed): a training job (SAM, the demo's costliest
method), an evaluation job (19 corruptions x 5 severities) and a learned-optimizer outer-training job. Each
option runs once per repeat per job, options interleaved, so a busy neighbour slows every option alike. ``wall_s``
is the job's own benchmark file's time (Snakemake's start-up excluded); ``system_s``, ``user_s`` and
``minor_faults`` count the whole ``snakemake`` process tree (``wait4``'s resource usage).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from robopt.allocator import ALLOCATOR_OPTIONS, allocator_environment
from robopt.io import write_csv
from robopt.provenance import cpu_model, git_commit

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
CONFIG = "config/demo.yaml"
#: (job kind, rule, target, the job's own benchmark file)
JOBS = (
    ("training", "train_model", "results/train/synthetic/sam/seed0/model.pt",
     "results/benchmarks/train_model/synthetic/sam/seed0.tsv"),
    ("evaluation", "evaluate_model", "results/evaluate/synthetic/sam/seed0/metrics.csv",
     "results/benchmarks/evaluate_model/synthetic/sam/seed0.tsv"),
    ("outer training", "lopt_outer_train", "results/lopt/gaussian/seed0/theta.pt",
     "results/benchmarks/lopt_outer_train/gaussian/seed0.tsv"),
)


def scratch_copy(dest: Path) -> Path:
    """The checkout without generated folders: the benchmark's jobs never touch the user's results/."""
    ignore = shutil.ignore_patterns(".git", ".venv", "results", "resources", ".snakemake", "__pycache__",
                                    "*.egg-info", ".pytest_cache", ".ruff_cache")
    shutil.copytree(REPO, dest, ignore=ignore, symlinks=True)
    return dest


def run_job(workdir: Path, rule: str, target: str, env: dict[str, str]) -> os.struct_rusage:
    """Rerun one job under ``env``; the resource usage of the whole process tree."""
    shutil.rmtree(workdir / "results" / "checkpoints", ignore_errors=True)  # a finished job's resume point
    command = [SNAKEMAKE, target, "--forcerun", rule, "--cores", "1", "--quiet", "all", "--configfile", CONFIG]
    process = subprocess.Popen(command, cwd=workdir, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{rule} failed under {env}:\n{process.stderr.read().decode()[-2000:]}")
    return usage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--options", nargs="+", default=list(ALLOCATOR_OPTIONS), choices=list(ALLOCATOR_OPTIONS))
    parser.add_argument("--out", default="benchmarks/results/allocator_cpu2.csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = scratch_copy(Path(scratch) / "repo")
        targets = [target for _, _, target, _ in JOBS]
        subprocess.run([SNAKEMAKE, *targets, "--cores", "2", "--quiet", "all", "--configfile", CONFIG], cwd=workdir,
                       check=True)
        rows = []
        for repeat in range(args.repeats):
            for kind, rule, target, benchmark_file in JOBS:
                for option in args.options:
                    started = time.perf_counter()
                    usage = run_job(workdir, rule, target, allocator_environment(option))
                    job_seconds = float(pd.read_csv(workdir / benchmark_file, sep="\t")["s"].iloc[-1])
                    rows.append({"job": kind, "option": option, "repeat": repeat, "wall_s": job_seconds,
                                 "process_tree_wall_s": time.perf_counter() - started, "user_s": usage.ru_utime,
                                 "system_s": usage.ru_stime, "minor_faults": usage.ru_minflt,
                                 "max_rss_mb": usage.ru_maxrss / 1024})
                    print(f"repeat {repeat} {kind:>14} {option:>10}: {job_seconds:6.1f} s wall, "
                          f"{usage.ru_stime:5.1f} s system, {usage.ru_minflt / 1e6:5.2f} M faults", flush=True)
    frame = pd.DataFrame(rows)
    summary = frame.groupby(["job", "option"], sort=False)[["wall_s", "user_s", "system_s", "minor_faults",
                                                             "max_rss_mb"]].median().reset_index()
    default = summary[summary["option"] == "default"].set_index("job")
    for column in ("wall_s", "system_s", "minor_faults"):
        summary[f"{column}_vs_default"] = summary[column] / summary["job"].map(default[column])
    summary["tunables"] = summary["option"].map(ALLOCATOR_OPTIONS)
    summary["repeats"] = args.repeats
    summary["machine"] = cpu_model()
    summary["commit"] = git_commit()
    summary["date"] = time.strftime("%Y-%m-%d", time.gmtime())
    write_csv(summary, args.out)
    print(summary.drop(columns=["tunables", "machine", "commit", "date"]).to_string(index=False))


if __name__ == "__main__":
    main()
