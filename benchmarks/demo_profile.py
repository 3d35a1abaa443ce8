"""Where the demo's time goes, job by job: each rule's jobs, their seconds (Snakemake's benchmark files), and the
part of them that is start-up (the script's import block, measured alone by ``benchmarks/startup.py``).

    make demo && python benchmarks/startup.py --out benchmarks/results/startup_cpu2.csv
    python benchmarks/demo_profile.py --results results --startup benchmarks/results/startup_cpu2.csv \
        --out benchmarks/results/demo_profile_cpu2.csv

``job_seconds`` sums the jobs' own wall times (jobs run side by side, so the demo's wall time is less);
``startup_seconds`` is the rule's script start-up times its jobs; ``share`` is the rule's part of all job seconds.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from robopt.io import write_csv
from robopt.provenance import cpu_model, git_commit
from robopt.run_record import job_seconds

REPO = Path(__file__).resolve().parents[1]


def rule_scripts() -> dict[str, str]:
    """rule -> its script's file name, read from the rule files."""
    scripts = {}
    for path in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for rule, body in re.findall(r"^\s*rule (\w+):\n(.*?)(?=^\s*rule |\Z)", path.read_text(), re.S | re.M):
            found = re.search(r'script:\s*\n\s*"\.\./scripts/([\w.]+)"', body)
            if found:
                scripts[rule] = found.group(1)
    return scripts


def profile(results: Path, startup: pd.DataFrame) -> pd.DataFrame:
    jobs = job_seconds(results)
    if jobs.empty:
        raise SystemExit(f"no benchmark files under {results / 'benchmarks'}: run the demo first (make demo)")
    table = jobs.groupby("rule").agg(jobs=("seconds", "size"), job_seconds=("seconds", "sum"),
                                     slowest_job=("seconds", "max")).reset_index()
    start = startup.set_index("script")["seconds"]
    preamble = float(start.get("snakemake preamble", 0.0))
    per_job = table["rule"].map(rule_scripts()).map(start)
    table["startup_seconds"] = (per_job + preamble) * table["jobs"]
    table["share"] = table["job_seconds"] / table["job_seconds"].sum()
    return table.sort_values("job_seconds", ascending=False).round(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--startup", default="benchmarks/results/startup_cpu2.csv")
    parser.add_argument("--out", default="benchmarks/results/demo_profile_cpu2.csv")
    args = parser.parse_args()
    table = profile(Path(args.results), pd.read_csv(args.startup))
    table["machine"] = cpu_model()
    table["commit"] = git_commit()
    write_csv(table, args.out)
    total, startup = table["job_seconds"].sum(), table["startup_seconds"].sum()
    print(table.drop(columns=["machine", "commit"]).to_string(index=False))
    print(f"{table['jobs'].sum()} jobs, {total:.0f} job seconds, of which start-up {startup:.0f} ({startup / total:.0%})")


if __name__ == "__main__":
    main()
