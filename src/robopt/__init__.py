"""robopt: reproducible experiments on robustness to input corruptions.

The package holds all logic of the Snakemake pipeline: datasets, corruptions, models,
training methods, learned optimizers, evaluation and plots. Every function can be
imported and tested without Snakemake.
"""

__version__ = "0.1.0"
