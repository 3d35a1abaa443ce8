"""The documents are tested: every snakemake command they show plans as written (SLURM forms with the executor's
dry run), the README's Python quick start runs, and every relative path the docs and config headers name exists."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md"), REPO / "config" / "README.md"])
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
#: Repository folders whose paths the documents name in backticks or config comments.
TOP = ("config", "docs", "src", "workflow", "tests", "benchmarks", "profiles")
REPO_PATH = re.compile(rf"(?<![\w/.-])((?:{'|'.join(TOP)})/[A-Za-z0-9_./-]*[A-Za-z0-9_/])")
#: Paths that the documented commands write (a site's SLURM profile): named as examples, not shipped.
WRITTEN_BY_COMMANDS = ("profiles/mysite",)
#: Commands that need a finished run, not a plan: shown in the docs but not dry-run.
NEEDS_A_RUN = ("--report",)


def shell_lines(text: str) -> list[str]:
    """Commands of the document's bash blocks (continuations joined, comments dropped) and inline `snakemake ...`."""
    commands = []
    for block in re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" # ")[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    commands += [" ".join(span.split()) for span in re.findall(r"`(snakemake [^`]+)`", text)]
    return commands


def documented_commands() -> list[tuple[str, str]]:
    """(document, command) of every snakemake, slurm-profile and file-writing command the documents show, in order."""
    found = []
    for path in DOCUMENTS:
        for command in shell_lines(path.read_text()):
            placeholder = "<" in command.replace("<<", "")  # a template such as `snakemake -n <target>`
            if command.startswith(("snakemake ", "python -m robopt.slurm_profile ", "printf ")) and not placeholder:
                found.append((str(path.relative_to(REPO)), command))
    return found


def test_the_documents_show_the_commands_users_run():
    commands = [command for _, command in documented_commands()]
    assert any("--profile profiles/mysite" in c for c in commands) and any("slurm_profile" in c for c in commands)
    assert any("distributed_8gpu" in c for c in commands) and any("damp_fig4_cifar10" in c for c in commands)


def copy_of_repository(dest: Path) -> Path:
    """The checkout without generated folders, with what the documents ask a user to bring: an ImageNet copy in the
    release layouts under resources/ (a fixture of a few images) and the CIFAR checkpoint of the external-model
    examples (a state_dict and an exported program). The documents' commands write profiles and config files
    there."""
    from robopt.models import build_model
    from tests.imagenet.fixture import write_imagenet_fixture

    ignore = shutil.ignore_patterns(".git", ".venv", "results", "resources", ".snakemake", "__pycache__", "*.egg-info",
                                    ".pytest_cache", ".ruff_cache")
    shutil.copytree(REPO, dest, ignore=ignore, symlinks=True)
    write_imagenet_fixture(dest / "resources")
    torch.save(build_model("resnet20", 10).state_dict(), dest / "my_resnet20.pt")
    program = torch.export.export(build_model("resnet20", 10).eval(), (torch.zeros(2, 3, 32, 32),),
                                  dynamic_shapes=({0: torch.export.Dim("batch", min=1)},))
    torch.export.save(program, str(dest / "my_model.pt2"))
    return dest


def dry_run(workdir: Path, words: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([SNAKEMAKE, *words, "--dry-run", "--quiet", "rules"], cwd=workdir, capture_output=True,
                          text=True, timeout=600)


#: How many values the options in the documents take ("+": every word up to the next option).
OPTION_VALUES = {"--profile": 1, "--cores": 1, "--configfile": "+", "--config": "+"}
#: Options that do not change what a dry run plans.
PLAN_NEUTRAL = {"-n", "--dry-run", "--cores"}


def targets_and_options(command: str) -> tuple[list[str], tuple[str, ...]]:
    """A snakemake command's targets (none = the default rule ``all``) and its options without those that do not
    change the plan."""
    words, targets, options = shlex.split(command)[1:], [], []
    i = 0
    while i < len(words):
        word = words[i]
        if not word.startswith("-"):
            targets.append(word)
            i += 1
            continue
        values = OPTION_VALUES.get(word, 0)
        end = i + 1 + values if values != "+" else next(
            (j for j in range(i + 1, len(words)) if words[j].startswith("-")), len(words))
        if word not in PLAN_NEUTRAL:
            options += words[i:end]
        i = end
    return targets or ["all"], tuple(options)


def plan_failures(workdir: Path, commands: list[str]) -> list[str]:
    """The documented commands whose plan fails. Commands with the same options plan as one dry run of all their
    targets (the dry runs are what CI pays for); a group that fails is planned command by command to name them."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for command in commands:
        groups.setdefault(targets_and_options(command)[1], []).append(command)

    def plan(options: tuple[str, ...]) -> list[str]:
        targets = list(dict.fromkeys(t for c in groups[options] for t in targets_and_options(c)[0]))
        if dry_run(workdir, [*targets, *options]).returncode == 0:
            return []
        failed = []
        for command in groups[options]:
            alone = dry_run(workdir, shlex.split(command)[1:])
            if alone.returncode != 0:
                failed.append(f"{command}\n{(alone.stdout + alone.stderr)[-1500:]}")
        return failed or [f"{groups[options]} fail only together"]

    with ThreadPoolExecutor(2) as pool:
        return [failure for failures in pool.map(plan, groups) for failure in failures]


@pytest.mark.slow
def test_every_documented_snakemake_command_plans_as_written(tmp_path):
    workdir = copy_of_repository(tmp_path / "repo")
    plans = []
    for document, command in documented_commands():
        if command.startswith("snakemake "):
            if not any(flag in command for flag in NEEDS_A_RUN):
                plans.append(command)
            continue
        words = shlex.split(command)  # the setup commands (a site profile, a config file) run as the user runs them
        if words[0] == "python":
            words[0] = sys.executable
            done = subprocess.run(words, cwd=workdir, capture_output=True, text=True, timeout=120)
        else:
            done = subprocess.run(command, shell=True, cwd=workdir, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{document}: {command}\n{done.stderr[-2000:]}"
    failures = plan_failures(workdir, list(dict.fromkeys(plans)))
    assert not failures, "\n\n".join(failures)


def test_commands_with_the_same_options_plan_together():
    assert targets_and_options("snakemake --cores all") == (["all"], ())
    assert targets_and_options("snakemake -n --configfile config/demo.yaml") == (["all"], ("--configfile", "config/demo.yaml"))
    assert targets_and_options("snakemake results/a.pdf results/b.csv --cores all --configfile c.yaml mine.yaml") == (
        ["results/a.pdf", "results/b.csv"], ("--configfile", "c.yaml", "mine.yaml"))
    assert targets_and_options("snakemake --profile profiles/mysite results/figures/damp_fig3.pdf") == (
        ["results/figures/damp_fig3.pdf"], ("--profile", "profiles/mysite"))


def test_the_readme_python_quick_start_runs():
    code = re.search(r"```python\n(.*?)```", (REPO / "README.md").read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md quick start", "exec"), namespace)  # noqa: S102 - the README's own example
    assert set(namespace["summary"]) == {"clean_acc", "corruptions_acc"}
    assert namespace["foggy"].shape == namespace["images"].shape


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in path.read_text().splitlines() if line.startswith("#")}


def shipped_or_written(name: str) -> bool:
    return (REPO / name).exists() or name.startswith(WRITTEN_BY_COMMANDS)


def broken_links(path: Path) -> list[str]:
    """Relative Markdown links whose file (or heading) does not exist, and repository paths in backticks that do not."""
    text = path.read_text()
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(target)
    for span in re.findall(r"`([^`\n]+)`", text):
        for name in REPO_PATH.findall(span):
            if not any(mark in span for mark in "<{*") and not shipped_or_written(name):
                broken.append(name)
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_link_and_named_path_of_a_document_exists(document):
    assert broken_links(document) == []


def test_every_path_a_config_header_names_exists():
    broken = []
    for config in sorted((REPO / "config").glob("*.yaml")):
        for line in config.read_text().splitlines():
            if line.lstrip().startswith("#"):
                broken += [f"{config.name}: {name}" for name in REPO_PATH.findall(line) if not shipped_or_written(name)]
    assert broken == []
