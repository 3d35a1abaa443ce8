"""evaluate_imagenet: trained ImageNet model -> tidy metrics of one test set (clean, fgsm or a shifted set)."""

from robopt.data.imagenet import load_index
from robopt.evaluate.imagenet import IMAGENET_METRIC_COLUMNS, evaluate_conditions, test_set_conditions
from robopt.io import write_csv
from robopt.logs import log_to_file
from robopt.models import load_trained
from robopt.runtime import make_deterministic, resolve_device

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
checkpoint, model = load_trained(snakemake.input.model, resolve_device(snakemake.params.device))
test_set = snakemake.wildcards.test_set
conditions, fgsm_eps = test_set_conditions(test_set, load_index(snakemake.input.val), snakemake.params.root)
table = evaluate_conditions(model, test_set, conditions, checkpoint["mean"], checkpoint["std"],
                            snakemake.params.batch_size, snakemake.params.image_size, snakemake.params.workers,
                            fgsm_eps)
labels = {"recipe": snakemake.wildcards.recipe, "model": checkpoint["model"], "method": snakemake.wildcards.method,
          "epochs": snakemake.params.epochs, "seed": int(snakemake.wildcards.seed)}
write_csv(table.assign(**labels)[[*labels, *IMAGENET_METRIC_COLUMNS]], snakemake.output[0])
