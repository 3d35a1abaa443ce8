"""lopt_adam: the Adam learning-rate grid inner-trained on clean and on noised data -> tidy losses."""

from robopt.io import prepend_columns, write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import evaluate_adam, load_inner_data, load_inner_test
from robopt.lopt.settings import adam_noise, eval_settings
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block, kind = snakemake.params.lopt, snakemake.wildcards.noise
data, scale = load_inner_data(block, snakemake.input.train, snakemake.input.meta)
noise = adam_noise(block, kind, scale)
table = evaluate_adam(block["evaluation"]["adam_lrs"], eval_settings(block, noise), noise, data,
                      load_inner_test(block, snakemake.input.test))
labels = {"optimizer": f"adam_{kind}", "objective": ""}  # a hand-designed optimizer: no outer objective
write_csv(prepend_columns(table, labels), snakemake.output[0])
