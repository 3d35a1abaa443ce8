"""table_lopt_selection: every experiment's meta-validation selection (theta0 and each seed) in one table."""

import pandas as pd

from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
table = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
caption = ("Which learned optimizer each experiment evaluates: the initial rule theta0 and every outer-training "
           "seed's final theta, inner-trained from scratch and scored by the objective's loss on the validation "
           "images (mean and standard error over inner initialisations; never the test set); the final "
           f"outer-train loss is shown, not used. Computed at: {snakemake.params.scale}.")
write_table(table, snakemake.output.csv, caption, provenance(snakemake.config),
            column_formats={"validation_loss": "{:.4f}", "validation_se": "{:.4f}", "final_outer_loss": "{:.4f}"})
