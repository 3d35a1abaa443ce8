"""The jobs' malloc settings do what they are for: a process that allocates and frees large tensors over and over
maps fresh pages far less often than under glibc's defaults (page faults counted by the kernel, not by robopt)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from robopt.allocator import ALLOCATOR_OPTIONS, JOB_ALLOCATOR, allocator_environment, export_job_allocator

#: A training step's pattern: tensors of a few sizes, some above glibc's largest dynamic mmap threshold (32 MiB),
#: allocated, written and freed again; prints the minor page faults of the loop (the heap settles after 3 rounds).
CHURN = """
import resource, torch
sizes = [8, 48, 100]
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    for mb in sizes:
        block = torch.ones(mb * 2**18)
        del block
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(option: str) -> int:
    env = {**os.environ, **allocator_environment(option)}
    done = subprocess.run([sys.executable, "-c", CHURN], env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


@pytest.fixture(scope="module")
def default_faults() -> int:
    return page_faults("default")


@pytest.mark.parametrize("option", [name for name in ALLOCATOR_OPTIONS if name != "default"])
def test_each_option_reuses_freed_memory_where_the_default_maps_it_anew(option, default_faults):
    default, tuned = default_faults, page_faults(option)
    assert default > 0.9 * 20 * (48 + 100) * 256  # the defaults fault in every 4 KiB page of each 48 and 100 MB tensor
    assert tuned < default / 5


def test_jobs_inherit_the_setting_unless_the_user_set_one(monkeypatch):
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    export_job_allocator()
    assert os.environ["GLIBC_TUNABLES"] == ALLOCATOR_OPTIONS[JOB_ALLOCATOR] != ""
    monkeypatch.setenv("GLIBC_TUNABLES", "")  # the user asked for glibc's defaults
    export_job_allocator()
    assert os.environ["GLIBC_TUNABLES"] == ""


def test_an_unknown_option_lists_the_known_ones():
    with pytest.raises(ValueError, match="keep_freed"):
        allocator_environment("jemalloc")
