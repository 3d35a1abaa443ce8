"""robopt: reproducible experiments on robustness to input corruptions.

The package holds all logic of the Snakemake pipeline: datasets, corruptions, models,
training methods, learned optimizers, evaluation and plots. Every function can be
imported and tested without Snakemake.
"""

__version__ = "0.1.0"

from robopt.lazy import lazy_exports  # noqa: E402

#: The front door (``robopt.api``), imported on first use so that ``import robopt`` stays free of torch.
EXPORTS = {"robopt.api": ("benchmark", "corrupt")}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = ["benchmark", "corrupt"]


def __dir__() -> list[str]:
    """The lazily imported names too, so that ``dir()`` and completion list them."""
    return sorted({*globals(), *__all__})
