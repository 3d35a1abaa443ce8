"""The transcription of DAMP's ImageNet Tables 1 and 2 checks against its own arithmetic and the abstract."""

from __future__ import annotations

import pytest

from robopt.evaluate.published_imagenet import IMAGENET_TEST_SETS, published_table, read_published_imagenet

SHIFTED = list(IMAGENET_TEST_SETS[1:])


@pytest.mark.parametrize(("table", "decimals"), [("table1", 1), ("table2", 2)])
def test_printed_average_is_the_mean_of_the_eight_shifted_sets(table, decimals):
    wide = published_table(table)
    assert wide[SHIFTED].notna().all().all()
    error = (wide[SHIFTED].mean(axis=1) - wide["avg"]).abs()
    assert (error <= 0.5 * 10**-decimals + 1e-9).all(), wide.assign(error=error)


def test_rows_as_printed():
    table1, table2 = published_table("table1"), published_table("table2")
    assert table1["method"].tolist() == ["dropout", "damp", "sam", "asam"] and (table1["epochs"] == 90).all()
    assert list(zip(table2["method"], table2["epochs"], strict=True)) == [
        ("dropout", 100), ("dropout", 200), ("damp", 100), ("damp", 200), ("sam", 100), ("asam", 100)]
    damp_vit = table2[(table2["method"] == "damp") & (table2["epochs"] == 200)]
    assert abs(float(damp_vit["clean"].iloc[0]) - 23.7) <= 0.05 + 1e-9  # the abstract's ViT-S/16 DAMP top-1 error


def test_table1_carries_its_seed_spread():
    rows = read_published_imagenet().query("table == 'table1' and test_set != 'avg'")
    assert rows["std"].notna().all() and set(rows["std_bound"]) == {"exact", "below"}
    assert rows.query("std_bound == 'below'")["std"].eq(0.1).all()


def test_unknown_table_lists_the_valid_ones():
    with pytest.raises(ValueError, match="valid: table1, table2"):
        published_table("table3")
