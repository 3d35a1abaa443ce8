"""One plotting style for every figure: print-safe (hatches and line styles, not only colour), with provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from robopt.io import atomic_path  # noqa: E402
from robopt.provenance import provenance, provenance_text, read_provenance  # noqa: E402, F401  (re-exported)
from robopt.report import seeds_label  # noqa: E402, F401  (re-exported for the figures)
from robopt.variants import CLEAN  # noqa: E402

#: Per-method drawing attributes, fixed so a method looks the same in every figure.
METHOD_STYLE: dict[str, dict[str, Any]] = {
    "sgd": {"color": "0.25", "hatch": "", "linestyle": "-", "marker": "o", "label": "SGD"},
    "damp": {"color": "#d62728", "hatch": "//", "linestyle": "--", "marker": "s", "label": "DAMP"},
    "daap": {"color": "#ff7f0e", "hatch": "xx", "linestyle": "-.", "marker": "^", "label": "DAAP"},
    "sam": {"color": "#1f77b4", "hatch": "..", "linestyle": ":", "marker": "D", "label": "SAM"},
    "asam": {"color": "#2ca02c", "hatch": "\\\\", "linestyle": (0, (5, 1)), "marker": "v", "label": "ASAM"},
    "adam": {"color": "#bcbd22", "hatch": "--", "linestyle": "-", "marker": "x", "label": "Adam"},
    "lopt": {"color": "black", "hatch": "++", "linestyle": "-", "marker": "*", "label": "Learned optimizer"},
}

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.6,
}


def method_style(method: str) -> dict[str, Any]:
    """Drawing attributes of ``method`` (an unknown method gets a neutral grey style)."""
    return METHOD_STYLE.get(method, {"color": "0.5", "hatch": "", "linestyle": "-", "marker": "o", "label": method})


def variant_label(method: str, train_corruption: str) -> str:
    """``DAMP`` for a clean-trained model, ``SGD + fog aug.`` for one trained with a corruption as augmentation."""
    label = method_style(method)["label"]
    return label if train_corruption == CLEAN else f"{label} + {train_corruption.replace('_', ' ')} aug."


def ordered_variants(frame) -> list[tuple[str, str, str]]:
    """(variant, method, train_corruption) of every model in ``frame``: the clean-trained models in the figures'
    fixed method order, then the corruption-augmented ones, each group by id."""
    models = frame[["variant", "method", "train_corruption"]].drop_duplicates("variant")
    rank = {method: k for k, method in enumerate(METHOD_STYLE)}
    return sorted(models.itertuples(index=False, name=None),
                  key=lambda m: (m[2] != CLEAN, rank.get(m[1], len(rank)), str(m[0])))


def ordered(values, preferred) -> list:
    """Distinct ``values`` in the order of ``preferred`` (a dict or list), unknown ones last, alphabetically."""
    rank = {key: k for k, key in enumerate(preferred)}
    return sorted(set(values), key=lambda v: (rank.get(v, len(rank)), str(v)))


def new_figure(
    ncols: int, width_per_panel: float = 3.2, height: float = 2.8, legend_width: float = 0.0
) -> tuple[plt.Figure, list[plt.Axes]]:
    """A figure with ``ncols`` panels in the shared style (plus room for a legend on the right)."""
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, ncols, figsize=(width_per_panel * ncols + legend_width, height), squeeze=False)
    return fig, list(axes[0])


def legend_outside(ax: plt.Axes, **kwargs: Any) -> None:
    """The legend to the right of ``ax``, where it cannot hide a curve (make room with ``new_figure(legend_width=)``)."""
    with plt.rc_context(RC):
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, **kwargs)


def save_figure(fig: plt.Figure, pdf_path: str | Path, meta: dict[str, str]) -> None:
    """Write ``pdf_path`` and a PNG beside it, atomically, each carrying ``meta`` as file metadata."""
    pdf_path = Path(pdf_path)
    text = provenance_text(meta)
    with plt.rc_context(RC):
        fig.tight_layout()
        with atomic_path(pdf_path) as tmp:
            fig.savefig(tmp, format="pdf", metadata={"Subject": text, "Creator": "robopt"})
        with atomic_path(pdf_path.with_suffix(".png")) as tmp:
            fig.savefig(tmp, format="png", metadata={"Description": text, "Software": "robopt"})
    plt.close(fig)
