"""evaluate_model: trained model -> tidy metrics on clean test data and every (corruption, severity)."""

from robopt.corruptions import read_corrupted
from robopt.data import load_split
from robopt.evaluate import TIDY_COLUMNS, evaluate_model
from robopt.io import write_csv
from robopt.logs import log_to_file
from robopt.models import load_trained
from robopt.runtime import make_deterministic, resolve_device
from robopt.variants import read_choice, tuned_labels

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
device = resolve_device(snakemake.params.device)
checkpoint, model = load_trained(snakemake.input.model, device)
test = load_split(snakemake.input.test)
corrupted = [
    read_corrupted(snakemake.params.folder, name, expected_labels=test.labels, class_ids=snakemake.params.class_ids)
    for name in snakemake.params.corruptions
]

table = evaluate_model(model, test.images, test.labels, corrupted, checkpoint["mean"], checkpoint["std"],
                       snakemake.params.batch_size)
variant = dict(snakemake.params.labels)
if snakemake.params.tuned:
    tuned = snakemake.params.tuned
    variant = tuned_labels(variant, tuned, read_choice(snakemake.input.choice, variant["method"], tuned))
labels = {"dataset": snakemake.wildcards.dataset, "model": checkpoint["model"], **variant,
          "seed": int(snakemake.wildcards.seed), "corruption_source": snakemake.params.corruption_source}
write_csv(table.assign(**labels)[TIDY_COLUMNS], snakemake.output[0])
