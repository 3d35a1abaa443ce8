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
    "sgd_plus_meta": {"color": "#8c564b", "hatch": "oo", "linestyle": "--", "marker": "P", "label": "SGD on train + meta"},
    "sgd_early_stop": {"color": "#7f7f7f", "hatch": "||", "linestyle": ":", "marker": "X",
                       "label": "SGD, early-stopped on meta"},
    "l2rw": {"color": "#9467bd", "hatch": "**", "linestyle": "-", "marker": "h", "label": "L2RW"},
    "mwnet": {"color": "#17becf", "hatch": "OO", "linestyle": "-", "marker": "p", "label": "Meta-Weight-Net"},
}

#: The 19 corruptions in words (Hendrycks & Dietterich's order), for labels such as "SGD + Gaussian aug.".
CORRUPTION_WORDS: dict[str, str] = {
    "gaussian_noise": "Gaussian", "shot_noise": "shot noise", "impulse_noise": "impulse noise",
    "defocus_blur": "defocus blur", "glass_blur": "glass blur", "motion_blur": "motion blur", "zoom_blur": "zoom blur",
    "snow": "snow", "frost": "frost", "fog": "fog", "brightness": "brightness", "contrast": "contrast",
    "elastic_transform": "elastic", "pixelate": "pixelate", "jpeg_compression": "JPEG", "speckle_noise": "speckle noise",
    "gaussian_blur": "Gaussian blur", "spatter": "spatter", "saturate": "saturate",
}
#: Colours and hatches of SGD trained with a corruption as augmentation (DAMP Alg. 2): none of the methods' colours,
#: fixed per training corruption (its place in ``CORRUPTION_WORDS``) so a model looks the same in every figure.
AUGMENTED_COLORS = ("#9467bd", "#8c564b", "#e377c2", "#17becf", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5",
                    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#dbdb8d", "#6b6ecf", "#b5cf6b", "#e7969c",
                    "#de9ed6", "#843c39", "#637939")
AUGMENTED_HATCHES = ("oo", "**", "OO", "||", "++", "--")

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


def corruption_words(corruption: str) -> str:
    """A corruption's name in words (``Gaussian``, ``JPEG``, ``zoom blur``)."""
    return CORRUPTION_WORDS.get(corruption, corruption.replace("_", " "))


def variant_label(method: str, train_corruption: str) -> str:
    """``DAMP`` for a clean-trained model, ``SGD + Gaussian aug.`` for one trained with a corruption as augmentation."""
    label = method_style(method)["label"]
    return label if train_corruption == CLEAN else f"{label} + {corruption_words(train_corruption)} aug."


def variant_style(method: str, train_corruption: str) -> dict[str, Any]:
    """Drawing attributes of a model: its method's for clean training; for a corruption-augmented model a colour and
    hatch of its own (dotted lines), so that SGD and SGD + augmentation never share a colour."""
    style = dict(method_style(method))
    if train_corruption != CLEAN:
        order = list(CORRUPTION_WORDS)
        k = order.index(train_corruption) if train_corruption in order else len(order)
        style.update(color=AUGMENTED_COLORS[k % len(AUGMENTED_COLORS)],
                     hatch=AUGMENTED_HATCHES[k % len(AUGMENTED_HATCHES)], linestyle=":")
    style["label"] = variant_label(method, train_corruption)
    return style


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


def legend_below(fig: plt.Figure, ax: plt.Axes, ncol: int = 3, title: str | None = None) -> None:
    """``ax``'s legend under the whole figure, in ``ncol`` columns: the panels keep the full width (``save_figure``
    grows the canvas to hold it)."""
    handles, labels = ax.get_legend_handles_labels()
    with plt.rc_context(RC):
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(ncol, len(labels)),
                   frameon=False, title=title, title_fontsize=8)


def save_figure(fig: plt.Figure, pdf_path: str | Path, meta: dict[str, str]) -> None:
    """Write ``pdf_path`` and a PNG beside it, atomically, each carrying ``meta`` as file metadata; the canvas is
    cropped to what is drawn (legends placed outside the panels included)."""
    pdf_path = Path(pdf_path)
    text = provenance_text(meta)
    with plt.rc_context(RC):
        fig.tight_layout()
        with atomic_path(pdf_path) as tmp:
            fig.savefig(tmp, format="pdf", metadata={"Subject": text, "Creator": "robopt"}, bbox_inches="tight")
        with atomic_path(pdf_path.with_suffix(".png")) as tmp:
            fig.savefig(tmp, format="png", metadata={"Description": text, "Software": "robopt"}, bbox_inches="tight")
    plt.close(fig)
