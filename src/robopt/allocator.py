"""glibc malloc settings for every job. PyTorch allocates a CPU tensor with plain ``malloc``; glibc serves each block
above its mmap threshold with a fresh ``mmap`` and unmaps it on free, so a training step that allocates and frees
the same activations every step pays page faults and system time for each of them. Keeping freed blocks (blocks
up to 4 GiB from the heap, the heap never trimmed) removes most of that cost; ``benchmarks/allocator.py`` measures
each option against glibc's defaults.

Set through ``GLIBC_TUNABLES`` (read by glibc at process start), so a job inherits it from the Snakemake process
that launches it; a value the user has set already, even an empty one, wins.
"""

from __future__ import annotations

import os

#: Blocks up to this size come from the heap, which keeps them for reuse once freed (glibc's default: 128 KiB,
#: rising with freed blocks to at most 32 MiB; a tunable may set it higher, unlike ``mallopt``).
MMAP_THRESHOLD = 2**32
#: Freed memory at the top of the heap is never handed back while a job runs (a job's peak stays mapped).
NEVER_TRIM = 2**46

#: Named allocator settings (the value of GLIBC_TUNABLES); ``default`` is glibc's own behaviour.
ALLOCATOR_OPTIONS = {
    "default": "",
    "keep_freed": f"glibc.malloc.mmap_threshold={MMAP_THRESHOLD}:glibc.malloc.trim_threshold={NEVER_TRIM}",
    "no_mmap": f"glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold={NEVER_TRIM}",
}
#: The option every job runs with (chosen by benchmarks/allocator.py; benchmarks/results/allocator_cpu2.csv).
JOB_ALLOCATOR = "keep_freed"


def allocator_environment(option: str) -> dict[str, str]:
    """The environment variables that select ``option`` for a process started with them."""
    if option not in ALLOCATOR_OPTIONS:
        raise ValueError(f"unknown allocator option {option!r}; choose one of {sorted(ALLOCATOR_OPTIONS)}")
    return {"GLIBC_TUNABLES": ALLOCATOR_OPTIONS[option]}


def export_job_allocator(option: str = JOB_ALLOCATOR) -> None:
    """Make the jobs this process starts use ``option``, unless GLIBC_TUNABLES is set already."""
    for name, value in allocator_environment(option).items():
        os.environ.setdefault(name, value)
