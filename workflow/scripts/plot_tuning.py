"""plot_tuning: every hold-out sweep of a dataset -> the sweep figure (PDF + PNG) and its table."""

import json
from pathlib import Path

import pandas as pd

from robopt.logs import log_to_file
from robopt.plots import provenance, write_table
from robopt.plots.tuning import plot_tuning, tuning_table

log_to_file(snakemake.log[0])
sweeps = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
choices = [json.loads(Path(path).with_name("choice.json").read_text()) for path in snakemake.input]
table = tuning_table(sweeps, choices)
meta = provenance(snakemake.config)
plot_tuning(table, snakemake.output.pdf, meta)
caption = ("Hold-out sweeps of the tuned hyperparameters: error (%) and NLL on the seeded stratified hold-out "
           "split of the training set for each value; chosen = highest hold-out accuracy (ties: lower NLL).")
write_table(table, snakemake.output.csv, caption, meta, column_formats={"value": "{:g}", "nll": "{:.3f}"})
