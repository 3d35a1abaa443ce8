"""lopt_verdict: theta0, the selected theta and Adam's grid inner-trained from several initialisations; the noisy
test loss per init and the table of mean +- std and paired differences."""

import torch

from robopt.io import prepend_columns, write_csv, write_text
from robopt.logs import log_to_file
from robopt.lopt.compare import compare_optimizers, comparison_table
from robopt.lopt.runs import load_inner_data, load_inner_test
from robopt.lopt.settings import verdict_runs
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block, experiment = snakemake.params.lopt, snakemake.wildcards.experiment
data, _ = load_inner_data(block, snakemake.input.train, snakemake.input.meta)
test = load_inner_test(block, snakemake.input.test)
thetas = {"theta0": torch.load(snakemake.input.theta0, map_location="cpu", weights_only=True)["theta0"],
          "selected": torch.load(snakemake.input.selected, map_location="cpu", weights_only=True)["theta"]}
losses = compare_optimizers(thetas, block["evaluation"]["adam_lrs"], verdict_runs(block, experiment), data,
                            test.images, test.labels)
labels = {"experiment": experiment, "sigma": block["experiments"][experiment]["sigma"]}
write_csv(prepend_columns(losses, labels), snakemake.output.losses)
table = prepend_columns(comparison_table(losses, list(thetas)), labels)
write_csv(table, snakemake.output.table)
write_text(table.to_markdown(index=False, floatfmt=".4f"), snakemake.output.markdown)
