"""Start a job function on several ranks with ``torchrun`` (``torch.distributed.run``): standalone on one machine,
one torchrun per node through ``srun`` inside a multi-node SLURM allocation.

The job's function and keyword arguments travel in a file (``torch.save``) that every rank reads
(``python -m robopt.distributed <file>``), so a rule's script stays what it is for one device: parse the Snakemake
inputs, then call ``run_job``. One rank runs the function in the calling process, with no launcher.
"""

from __future__ import annotations

import importlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from robopt.errors import RoboptError

log = logging.getLogger(__name__)

#: The rendezvous port of a multi-node job on its first node (torchrun's usual one).
RENDEZVOUS_PORT = 29500


class LaunchError(RoboptError, RuntimeError):
    """A multi-rank job could not start or one of its ranks failed."""


def function_path(function: Callable) -> str:
    """``module:name`` of a module-level function (what a worker imports)."""
    if "<" in function.__qualname__:
        raise LaunchError(f"{function.__qualname__} is not a module-level function; a worker cannot import it")
    return f"{function.__module__}:{function.__qualname__}"


def load_function(path: str) -> Callable:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def slurm_head_node(environ: Mapping[str, str]) -> str:
    """The first host of the SLURM allocation (the rendezvous host of a multi-node job)."""
    nodelist = environ.get("SLURM_JOB_NODELIST") or environ.get("SLURM_NODELIST")
    if not nodelist:
        raise LaunchError("a multi-node job must run inside a SLURM allocation (SLURM_JOB_NODELIST is not set)")
    hosts = subprocess.run(["scontrol", "show", "hostnames", nodelist], capture_output=True, text=True, check=True)
    return hosts.stdout.split()[0]


def torchrun_command(spec: str | Path, ranks_per_node: int, nodes: int = 1,
                     environ: Mapping[str, str] | None = None) -> list[str]:
    """The command that runs ``python -m robopt.distributed spec`` on ``nodes`` x ``ranks_per_node`` ranks."""
    if ranks_per_node < 1 or nodes < 1:
        raise LaunchError(f"need at least one rank per node and one node, got {ranks_per_node} and {nodes}")
    worker = ["-m", "robopt.distributed", str(spec)]
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(ranks_per_node)]
    if nodes == 1:
        return [*torchrun, "--standalone", "--nnodes", "1", *worker]
    environ = os.environ if environ is None else environ
    head = slurm_head_node(environ)
    job_id = environ.get("SLURM_JOB_ID", "robopt")
    return ["srun", f"--nodes={nodes}", "--ntasks-per-node=1", "--kill-on-bad-exit=1", *torchrun,
            "--nnodes", str(nodes), "--rdzv-backend", "c10d", "--rdzv-endpoint", f"{head}:{RENDEZVOUS_PORT}",
            "--rdzv-id", job_id, *worker]


def run_job(function: Callable, kwargs: dict[str, Any], *, ranks_per_node: int = 1, nodes: int = 1,
            threads: int = 1, spec_path: str | Path | None = None) -> Any:
    """``function(**kwargs)`` on every rank: in this process for one rank, else under torchrun with ``threads``
    split over the node's ranks. ``spec_path`` (on a file system every node sees) holds the call meanwhile."""
    if ranks_per_node * nodes == 1:
        return function(**kwargs)
    from robopt.io import save_torch

    spec = Path(spec_path or Path.cwd() / f".robopt-job-{os.getpid()}.pt")
    save_torch({"function": function_path(function), "kwargs": kwargs}, spec)
    command = torchrun_command(spec, ranks_per_node, nodes)
    environ = {**os.environ, "OMP_NUM_THREADS": str(max(1, threads // ranks_per_node))}
    log.info("starting %d rank(s) on %d node(s): %s", ranks_per_node * nodes, nodes, " ".join(command))
    try:
        # the workers write to this process's stderr: the rule's log
        result = subprocess.run(command, env=environ, stdout=sys.stderr, stderr=sys.stderr, check=False)
    finally:
        spec.unlink(missing_ok=True)
    if result.returncode:
        raise LaunchError(f"the {ranks_per_node * nodes}-rank job failed (exit status {result.returncode}); "
                          "each rank's traceback is in the log above")
    return None


def run_configured_job(function: Callable, kwargs: dict[str, Any], ranks: Mapping[str, int], threads: int,
                       checkpoint: str | Path) -> Any:
    """``run_job`` on a ``distributed.<stage>`` block's devices x nodes, the job file beside ``checkpoint``."""
    return run_job(function, kwargs, ranks_per_node=ranks["devices"], nodes=ranks["nodes"], threads=threads,
                   spec_path=Path(checkpoint).with_name("job.pt"))
