"""evaluate_external_imagenet: a materialised external model -> tidy metrics of one ImageNet test set under its
entry's protocol (pipeline or robustbench), the protocol recorded in every row."""

from robopt.data.imagenet import load_index
from robopt.data.robustbench_imagenet import protocol_conditions
from robopt.evaluate.imagenet import IMAGENET_METRIC_COLUMNS, evaluate_conditions, test_set_conditions
from robopt.imagenet_protocol import EVAL_SIZE
from robopt.io import write_csv
from robopt.logs import log_to_file
from robopt.models import load_trained
from robopt.runtime import make_deterministic, resolve_device

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
name, test_set, protocol = snakemake.wildcards.name, snakemake.wildcards.test_set, snakemake.params.protocol
description, model = load_trained(snakemake.input.model, resolve_device(snakemake.params.device))
conditions, _ = test_set_conditions(test_set, load_index(snakemake.input.val), snakemake.params.root)
conditions = protocol_conditions(protocol, conditions, f"external_models.{name} ({protocol} protocol) {test_set}")
table = evaluate_conditions(model, test_set, conditions, description["mean"], description["std"],
                            snakemake.params.batch_size, EVAL_SIZE, snakemake.params.workers,
                            eval_resize=snakemake.params.resize)
labels = {"model": name, "method": "external", "protocol": protocol, "eval_resize": snakemake.params.resize,
          "corruption_source": "official"}
write_csv(table.assign(**labels)[[*labels, *IMAGENET_METRIC_COLUMNS]], snakemake.output[0])
