"""Published numbers beside ours: DAMP's corruption-error heatmaps (the only per-corruption numbers either paper prints).

Each of our rows is joined to the published cell of the same (variant, test corruption), with the difference and the
scale both were computed at, so that a demo is never read as a reproduction.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from robopt.errors import RoboptError

PUBLISHED_HEATMAPS = Path(__file__).with_name("published_damp_heatmaps.csv")

#: DAMP's heatmap figure of each paper dataset (arXiv v1: Fig. 1 CIFAR-100, Fig. 4 CIFAR-10, Fig. 5 Tiny-ImageNet);
#: the datasets of ``published_damp_heatmaps.csv`` (a test keeps the two in step).
PAPER_HEATMAP_FIGURES = {"cifar100": "fig1", "cifar10": "fig4", "tinyimagenet": "fig5"}


def heatmap_figure_name(dataset: str) -> str:
    """``damp_fig1_cifar100`` etc. for the paper's datasets, ``damp_heatmap_<dataset>`` for others."""
    return f"damp_{PAPER_HEATMAP_FIGURES.get(dataset, 'heatmap')}_{dataset}"


def has_published_comparison(datasets: list[str], stand_ins: dict[str, str]) -> bool:
    """Whether any of ``datasets`` has published heatmap numbers, itself or through a configured stand-in."""
    return any(dataset in PAPER_HEATMAP_FIGURES or dataset in stand_ins for dataset in datasets)


#: The setting of each published heatmap (DAMP App. F and the figure captions).
PAPER_SCALE = {
    "cifar10": "ResNet18, 300 epochs, full training set, 3 seeds",
    "cifar100": "ResNet18, 300 epochs, full training set, 5 seeds",
    "tinyimagenet": "PreActResNet18, 150 epochs, full training set, 3 seeds",
}

COMPARISON_COLUMNS = [
    "dataset", "paper_dataset", "variant", "test_corruption", "ours", "paper", "difference", "ours_scale", "paper_scale",
]


def read_published_heatmaps(path: str | Path = PUBLISHED_HEATMAPS) -> pd.DataFrame:
    """Tidy published cells: paper_dataset, variant, test_corruption, value."""
    return pd.read_csv(path, comment="#")


def heatmap_columns(dataset: str, published: pd.DataFrame | None = None) -> list[str]:
    """The test corruptions of the paper's heatmap of ``dataset`` (CIFAR: 15, Tiny-ImageNet: 14, no glass blur);
    CIFAR-10's for a dataset the paper has no heatmap of (the demo's synthetic data, a stand-in)."""
    published = read_published_heatmaps() if published is None else published
    paper = dataset if dataset in PAPER_HEATMAP_FIGURES else "cifar10"
    columns = published.loc[published["paper_dataset"] == paper, "test_corruption"].unique()
    return [c for c in columns if c not in ("avg", "none")]


def paper_dataset_for(dataset: str, published: pd.DataFrame, stand_ins: dict[str, str]) -> str | None:
    """The published dataset shown beside ``dataset``: itself where the paper has it, else its configured stand-in."""
    if dataset in PAPER_HEATMAP_FIGURES:
        return dataset
    return stand_ins.get(dataset)


def heatmap_vs_paper(
    ours: pd.DataFrame,
    scales: dict[str, str],
    stand_ins: dict[str, str] | None = None,
    published: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Our corruption-error table (``robopt.evaluate.corruption_error``) beside the published heatmap cells.

    Our ``avg`` is recomputed over the paper's columns (its test corruptions plus ``none``) that we evaluated, so
    that the two averages cover the same cells. Rows the paper does not print (e.g. SAM) are left out.
    """
    published = read_published_heatmaps() if published is None else published
    stand_ins = stand_ins or {}
    parts = []
    for dataset, rows in ours.groupby("dataset", sort=False):
        paper_dataset = paper_dataset_for(dataset, published, stand_ins)
        if paper_dataset is None:
            continue
        paper = published[published["paper_dataset"] == paper_dataset]
        shared = [c for c in paper["test_corruption"].unique() if c != "avg" and c in rows.columns]
        if "none" not in shared or len(shared) < 2:
            raise RoboptError(f"{dataset}: the corruption-error table shares too few columns with the paper's")
        rows = rows.assign(avg=rows[shared].mean(axis=1))
        long = rows.melt(id_vars=["dataset", "variant"], value_vars=[*shared, "avg"], var_name="test_corruption",
                         value_name="ours")
        joined = long.merge(paper.rename(columns={"value": "paper"}), on=["variant", "test_corruption"])
        joined["difference"] = joined["ours"] - joined["paper"]
        joined["ours_scale"] = scales.get(dataset, "")
        joined["paper_scale"] = PAPER_SCALE[paper_dataset]
        parts.append(joined)
    if not parts:
        raise RoboptError(
            "no dataset has published DAMP heatmap numbers (cifar10, cifar100, tinyimagenet); "
            "set comparison.stand_ins to show one beside another dataset"
        )
    table = pd.concat(parts, ignore_index=True)[COMPARISON_COLUMNS]
    return table.sort_values(["dataset", "variant"], kind="stable", ignore_index=True)


def comparison_caption(table: pd.DataFrame, published: pd.DataFrame | None = None) -> str:
    """What the comparison shows, at which scales, and which published rows we did not compute."""
    published = read_published_heatmaps() if published is None else published
    lines = ["Corruption error relative to SGD, ours beside DAMP's published heatmap cells (difference = ours - paper)."]
    for (dataset, paper_dataset), part in table.groupby(["dataset", "paper_dataset"], sort=False):
        stand_in = "" if dataset == paper_dataset else " (stand-in: a different dataset, not a reproduction)"
        lines.append(f"Ours on {dataset}: {part['ours_scale'].iloc[0]}. Paper on {paper_dataset}: "
                     f"{PAPER_SCALE[paper_dataset]}{stand_in}.")
        missing = sorted(set(published.loc[published["paper_dataset"] == paper_dataset, "variant"]) - set(part["variant"]))
        if missing:
            lines.append(f"Published rows not computed here: {', '.join(missing)}.")
    return " ".join(lines)
