"""DAMP Figs. 1, 4, 5: corruption error of each method relative to SGD, per test corruption (a heatmap).

Rows are methods (DAMP and the others, then the 5 best of SGD trained with a corruption as augmentation, by ``avg``,
as the paper shows them), columns the test
corruptions, then ``none`` (clean error ratio), ``avg`` (over the paper's heatmap columns and none) and
``avg_all`` (over every evaluated corruption and none); every cell carries its number, so the figure reads in
black and white, and the diverging colour map is centred on 1 (= SGD).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from robopt.plots.style import METHOD_STYLE, RC, corruption_words, method_style, ordered, save_figure, seeds_label
from robopt.variants import CLEAN

#: DAMP shows the 5 corruption-augmented SGD models with the lowest average corruption error.
MAX_AUGMENTED_ROWS = 5


#: Columns of the corruption-error table that describe a row rather than a test corruption.
KEY_COLUMNS = ("dataset", "variant", "method", "train_corruption", "none", "avg", "avg_all")


def row_label(method: str, train_corruption: str) -> str:
    """The paper's row label: (method, training corruption), e.g. ``DAMP, none`` or ``SGD, fog``."""
    return f"{method_style(method)['label']}, {corruption_words(train_corruption)}"


def plot_corruption_error_heatmap(table: pd.DataFrame, dataset: str, seeds: int, pdf_path: str | Path,
                                  meta: dict[str, str]) -> plt.Figure:
    """Heatmap of one dataset's rows of the ``damp_corruption_error`` table (SGD's all-ones row left out)."""
    rows = table[(table["dataset"] == dataset) & ~((table["method"] == "sgd") & (table["train_corruption"] == CLEAN))]
    if rows.empty:
        raise ValueError(f"no corruption-error rows for dataset {dataset!r} besides SGD")
    augmented = rows["train_corruption"] != CLEAN
    best_augmented = rows[augmented].sort_values("avg").head(MAX_AUGMENTED_ROWS)  # the paper's 5 best by avg
    plain = rows[~augmented].set_index("method").loc[ordered(rows.loc[~augmented, "method"], METHOD_STYLE)]
    rows = pd.concat([plain.reset_index(), best_augmented])
    corruptions = [c for c in rows.columns if c not in KEY_COLUMNS]
    columns = corruptions + ["none", "avg"] + (["avg_all"] if "avg_all" in rows.columns else [])
    values = rows[columns].to_numpy(dtype=float)
    spread = max(float(np.nanmax(np.abs(values - 1.0))), 0.05)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(0.55 * len(columns) + 2.2, 0.45 * len(rows) + 1.6))
        image = ax.imshow(values, cmap="RdBu_r", norm=TwoSlopeNorm(1.0, 1.0 - spread, 1.0 + spread), aspect="auto")
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6,
                    color="white" if abs(value - 1.0) > 0.6 * spread else "black")
        ax.set_xticks(range(len(columns)), [corruption_words(c) for c in columns], rotation=60, ha="right")
        ax.set_yticks(range(len(rows)), [row_label(m, c) for m, c in zip(rows["method"], rows["train_corruption"],
                                                                          strict=True)])
        ax.axvline(len(corruptions) - 0.5, color="black", linewidth=1)
        ax.set_xlabel("test corruption")
        ax.set_ylabel("method, training corruption")
        ax.set_title(f"{dataset}: corruption error relative to SGD ({seeds_label(seeds)})")
        fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="CE / CE(SGD)")
    save_figure(fig, pdf_path, meta)
    return fig
