"""The parallel test run's schedule names real modules: a renamed long module would silently lose its head start."""

from __future__ import annotations

from tests.conftest import LONGEST_MODULES, REPO


def test_every_longest_module_exists():
    assert [name for name in LONGEST_MODULES if not (REPO / "tests" / name).is_file()] == []
