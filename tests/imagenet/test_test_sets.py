"""The shifted ImageNet test sets read from fixtures in their release layouts; scoring over a set's own classes."""

from __future__ import annotations

import pytest
import torch

from robopt.data.imagenet import ImageIndex
from robopt.data.imagenet_test_sets import IMAGENET_C, TEST_SETS, check_test_set, read_test_set
from robopt.errors import DatasetFormatError, DatasetNotFoundError, UnknownNameError
from robopt.evaluate.imagenet import scored_metrics
from tests.imagenet.fixture import WNIDS, write_imagenet_fixture


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    return write_imagenet_fixture(tmp_path_factory.mktemp("imagenet_sets"))


def test_every_set_of_the_tables_reads_in_its_layout(sets):
    expected = {"imagenet_c": 75, "imagenet_c_bar": 50, "imagenet_a": 1, "imagenet_d": 3, "imagenet_sketch": 1,
                "imagenet_drawing": 1, "imagenet_cartoon": 1}
    assert set(expected) == set(TEST_SETS.names())
    for name, count in expected.items():
        conditions = read_test_set(name, sets[name], WNIDS)
        assert len(conditions) == count, name
        for condition in conditions:
            assert len(condition.index) == len(condition.index.labels) > 0
            assert all(WNIDS[int(k)] == path.parent.name for k, path in
                       zip(condition.index.labels, condition.index.paths, strict=True))
    corrupted = read_test_set("imagenet_c", sets["imagenet_c"], WNIDS)
    assert [(c.name, c.severity) for c in corrupted[:6]] == [(IMAGENET_C[0], s) for s in range(1, 6)] + [
        (IMAGENET_C[1], 1)]
    assert read_test_set("imagenet_a", sets["imagenet_a"], WNIDS)[0].index.scored_classes == (0, 1)
    assert read_test_set("imagenet_sketch", sets["imagenet_sketch"], WNIDS)[0].index.scored_classes is None


def test_a_missing_or_incomplete_set_names_its_key_and_layout(sets, tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"imagenet\.test_sets\.imagenet_c = .*<corruption>/<1-5>/<wnid>"):
        check_test_set("imagenet_c", tmp_path / "absent", "imagenet.test_sets.imagenet_c")
    (tmp_path / "partial" / "gaussian_noise").mkdir(parents=True)
    with pytest.raises(DatasetNotFoundError, match="shot_noise"):
        check_test_set("imagenet_c", tmp_path / "partial", "imagenet.test_sets.imagenet_c")
    with pytest.raises(DatasetFormatError, match="not classes of the clean dataset"):
        read_test_set("imagenet_c", sets["imagenet_c"], WNIDS[:2])
    with pytest.raises(UnknownNameError, match="imagenet_a, imagenet_c"):
        TEST_SETS.get("imagenet_r")


def test_a_set_with_fewer_classes_is_scored_over_its_own():
    """The logits of the classes a set lacks cannot win (ImageNet-A: 200 of 1,000, the reference's A_mask)."""
    logits = torch.tensor([[0.0, 1.0, 5.0], [2.0, 0.0, 9.0]])  # class 2 wins overall, but the set holds 0 and 1 only
    labels = torch.tensor([1, 0])
    subset = ImageIndex([], labels, WNIDS, scored_classes=(0, 1))
    assert scored_metrics(logits, subset)["accuracy"] == 1.0
    assert scored_metrics(logits, ImageIndex([], labels, WNIDS))["accuracy"] == 0.0
