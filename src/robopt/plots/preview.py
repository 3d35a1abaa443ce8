"""A grid of one test image under every corruption x severity, so people can see what the -C sets contain."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from robopt.plots.style import RC, save_figure


def plot_corruption_grid(
    clean: torch.Tensor, corrupted: Mapping[str, torch.Tensor], pdf_path: str | Path, meta: dict[str, str]
) -> plt.Figure:
    """Rows: corruptions; columns: clean, then severities 1..5. ``corrupted[name]`` is (5, H, W, 3) uint8."""
    names = list(corrupted)
    severities = next(iter(corrupted.values())).shape[0] if names else 0
    with plt.rc_context(RC):
        fig, axes = plt.subplots(len(names), severities + 1, figsize=(1.1 * (severities + 1) + 1.2, 1.1 * len(names)),
                                 squeeze=False)
    for row, name in enumerate(names):
        panels = [clean] + [corrupted[name][k] for k in range(severities)]
        for col, image in enumerate(panels):
            ax = axes[row][col]
            ax.imshow(image.cpu().numpy(), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title("clean" if col == 0 else f"severity {col}", fontsize=7)
        axes[row][0].set_ylabel(name.replace("_", " "), rotation=0, ha="right", va="center", fontsize=7)
    save_figure(fig, pdf_path, meta)
    return fig
