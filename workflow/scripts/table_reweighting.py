"""table_reweighting: tidy metrics + training histories -> accuracy per method over seeds, paired differences to noisy
SGD, the noisy/clean weight ratio, and the published CIFAR-10 numbers beside ours."""

from robopt.evaluate import TIDY_COLUMNS, read_tidy
from robopt.evaluate.aggregate import read_histories
from robopt.evaluate.reweighting import (
    beside_published,
    published_scripts,
    reweighting_markdown_frame,
    reweighting_table,
)
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
dataset = snakemake.wildcards.dataset
metrics = read_tidy(snakemake.input.metrics, TIDY_COLUMNS)
table = reweighting_table(metrics[metrics["dataset"] == dataset], read_histories(snakemake.input.histories))
meta = provenance(snakemake.config)
caption = ("Meta-reweighting on a biased training set: clean test accuracy and mean accuracy over every evaluated "
           "corruption x severity, in %, mean +- std over seeds, each model at its last epoch (SGD early-stopped: "
           "the epoch chosen on the meta set); paired difference to noisy SGD per seed with its 95% Student-t "
           "interval (better / worse only when it excludes 0); mean weight of noisy over clean examples in the last "
           f"epoch. Bias: {snakemake.params.setting}. Computed at: {snakemake.params.scale}.")
write_table(table, snakemake.output.csv, caption, meta, display=reweighting_markdown_frame(table))
write_table(beside_published(table, snakemake.params.setting), snakemake.output.paper,
            "Our clean accuracy (last epoch, our scale) beside the MW-Net paper's CIFAR-10 accuracies (their scale: "
            "WRN-28-10 / ResNet-32 on the full training set, best test epoch). Different scales: read the ordering, "
            f"not the values. Published: {published_scripts()} Computed at: {snakemake.params.scale}.", meta)
