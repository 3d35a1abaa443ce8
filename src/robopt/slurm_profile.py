"""Write a SLURM profile for one site: the shipped ``profiles/slurm/`` with the site's partitions and account, so
GPU rules go to the GPU partition, every other rule to the CPU partition, and the profile's memory and runtime
defaults stay (``--default-resources`` on the command line would replace them all).

    python -m robopt.slurm_profile profiles/mysite --partition cpu --gpu-partition gpu --account myproject
    snakemake --profile profiles/mysite results/figures/damp_fig3.pdf
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "profiles" / "slurm" / "config.yaml"
RULES = REPO / "workflow" / "rules"
RULE_HEADER = re.compile(r"^\s*rule (\w+):", re.MULTILINE)


def gpu_rules(rules_dir: Path = RULES) -> list[str]:
    """Rules whose resources declare ``gpu`` (training, tuning, outer-training): the jobs a GPU partition takes."""
    names = []
    for path in sorted(rules_dir.glob("*.smk")):
        text = path.read_text()
        starts = [header.start() for header in RULE_HEADER.finditer(text)] + [len(text)]
        for header, end in zip(RULE_HEADER.finditer(text), starts[1:], strict=True):
            body = text[header.end(): end]
            if re.search(r"^\s*gpu=", body, re.MULTILINE):
                names.append(header.group(1))
    return sorted(names)


def site_profile(base: dict[str, Any], partition: str, gpu_partition: str | None, account: str | None,
                 rules: list[str]) -> dict[str, Any]:
    """``base`` with ``partition`` (and ``account``) as default resources and ``gpu_partition`` set on ``rules``;
    without an account, ``slurm-no-account`` (clusters without accounting)."""
    profile = dict(base)
    defaults = {**base.get("default-resources", {}), "slurm_partition": partition}
    if account:
        defaults["slurm_account"] = account
    else:
        profile["slurm-no-account"] = True
    profile["default-resources"] = defaults
    if gpu_partition and gpu_partition != partition:
        profile["set-resources"] = {rule: {"slurm_partition": gpu_partition} for rule in rules}
    return profile


def write_profile(folder: Path, profile: dict[str, Any], command: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    header = (f"# SLURM profile written by: {command}\n# Use: snakemake --profile {folder} [targets]\n"
              "# GPU rules (set-resources) go to the GPU partition; every other job to default-resources'.\n")
    path.write_text(header + yaml.safe_dump(profile, sort_keys=False))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the profile folder to write, e.g. profiles/mysite")
    parser.add_argument("--partition", required=True, help="partition of CPU jobs (data, corruption, evaluation, "
                                                           "tables, figures)")
    parser.add_argument("--gpu-partition", help="partition of the GPU jobs (default: --partition)")
    parser.add_argument("--account", help="SLURM account; leave out on a cluster without accounting")
    args = parser.parse_args(argv)
    if (args.folder / "config.yaml").exists() and args.folder.resolve() == SHIPPED.parent.resolve():
        sys.exit("error: choose a new folder; profiles/slurm/ is the shipped profile the site profile starts from")
    base = yaml.safe_load(SHIPPED.read_text())
    profile = site_profile(base, args.partition, args.gpu_partition, args.account, gpu_rules())
    command = " ".join(["python -m robopt.slurm_profile", *(argv if argv is not None else sys.argv[1:])])
    print(f"wrote {write_profile(args.folder, profile, command)}")


if __name__ == "__main__":
    main()
