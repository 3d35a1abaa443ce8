"""DAMP's Tables 1 and 2 from our ImageNet evaluations, beside the published numbers.

A test set's error of one model is the mean over its conditions (ImageNet-C and -C-bar: all types and severities,
as the camera-ready; ImageNet-D: its domains), then mean and std over seeds. Each row of ours stands above the
paper's row of the same method and epochs (where the paper has no row at our epochs, e.g. at a reduced scale, the
paper's row with the most epochs) and their difference. ``avg`` is the mean over the shifted sets (all columns after
clean) that ours has, for ours and for the paper alike, so the two stay comparable when some sets are not
configured; with all eight it is the paper's printed average (within print rounding).
"""

from __future__ import annotations

import pandas as pd

from robopt.evaluate.published_imagenet import IMAGENET_TEST_SETS, published_table

#: The paper's column headings.
TEST_SET_HEADINGS = {"clean": "Clean", "fgsm": "FGSM", "imagenet_a": "IN-A", "imagenet_c": "IN-C",
                     "imagenet_c_bar": "IN-C-bar", "imagenet_cartoon": "Cartoon", "imagenet_d": "IN-D",
                     "imagenet_drawing": "Drawing", "imagenet_sketch": "Sketch", "avg": "Avg"}
MODEL_KEYS = ["method", "epochs"]


def error_per_test_set(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean error over each test set's conditions per (method, epochs, seed), then mean, std and seeds over seeds:
    rows (method, epochs, test_set, error, std, n_seeds)."""
    per_seed = metrics.groupby([*MODEL_KEYS, "seed", "test_set"], as_index=False)["error"].mean()
    summary = per_seed.groupby([*MODEL_KEYS, "test_set"]).agg(error=("error", "mean"), std=("error", "std"),
                                                               n_seeds=("seed", "nunique")).reset_index()
    summary["std"] = summary["std"].fillna(0.0)
    return summary


def paper_row(published: pd.DataFrame, method: str, epochs: int) -> pd.Series | None:
    """The paper's row of ``method`` at ``epochs``, else at its most epochs; None when the paper lacks the method."""
    rows = published[published["method"] == method]
    if rows.empty:
        return None
    exact = rows[rows["epochs"] == epochs]
    return (exact if not exact.empty else rows.sort_values("epochs")).iloc[-1]


def damp_imagenet_table(metrics: pd.DataFrame, table: str) -> pd.DataFrame:
    """Wide table: per (method, epochs) of ours, the rows ``ours``, ``paper`` and ``ours - paper``; a column per test
    set (blank where not computed) and ``avg`` over the shifted sets ours has."""
    ours = error_per_test_set(metrics)
    wide = ours.pivot_table(index=MODEL_KEYS, columns="test_set", values="error", sort=False)
    columns = [name for name in IMAGENET_TEST_SETS if name in wide.columns]
    shifted = [name for name in columns if name != "clean"]
    published = published_table(table)
    seeds = ours.groupby(MODEL_KEYS)["n_seeds"].max()
    rows = []
    for (method, epochs), values in wide.iterrows():
        ours_row = {name: values.get(name) for name in columns}
        paper = paper_row(published, method, int(epochs))
        paper_values = {name: (paper[name] if paper is not None else float("nan")) for name in columns}
        entries = [("ours", int(epochs), ours_row), ("paper", int(paper["epochs"]) if paper is not None else None,
                                                     paper_values),
                   ("ours - paper", None, {name: ours_row[name] - paper_values[name] for name in columns})]
        for source, shown_epochs, row in entries:
            avg = sum(row[name] for name in shifted) / len(shifted) if shifted else float("nan")
            rows.append({"method": method, "source": source, "epochs": shown_epochs,
                         "seeds": int(seeds[(method, epochs)]) if source == "ours" else None,
                         **{TEST_SET_HEADINGS[name]: row[name] for name in columns}, "Avg": avg})
    frame = pd.DataFrame(rows)
    for column in ("epochs", "seeds"):
        frame[column] = frame[column].astype("Int64")
    return frame
