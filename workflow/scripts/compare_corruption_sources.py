"""compare_corruption_sources: an external model evaluated on the generated -C set beside its evaluation on the
official release -> per-cell and per-corruption accuracy differences."""

from robopt.corruptions import read_corrupted
from robopt.data import load_split
from robopt.evaluate import TIDY_COLUMNS, evaluate_model, read_tidy
from robopt.evaluate.sources import per_corruption, source_comparison
from robopt.io import write_csv
from robopt.logs import log_to_file
from robopt.models import load_trained
from robopt.plots import provenance, write_table
from robopt.runtime import make_deterministic, resolve_device

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
checkpoint, model = load_trained(snakemake.input.model, resolve_device(snakemake.params.device))
test = load_split(snakemake.input.test)
generated_sets = [read_corrupted(snakemake.params.generated, name, expected_labels=test.labels)
                  for name in snakemake.params.corruptions]
official = read_tidy(snakemake.input.official, TIDY_COLUMNS)
generated = evaluate_model(model, test.images, test.labels, generated_sets, checkpoint["mean"], checkpoint["std"],
                           snakemake.params.batch_size)
model_columns = TIDY_COLUMNS[: TIDY_COLUMNS.index("corruption_source")]  # dataset ... seed: which model
labels = official[model_columns].iloc[0].to_dict()
write_csv(generated.assign(**{**labels, "corruption_source": "generated"})[TIDY_COLUMNS], snakemake.output.generated)
cells = source_comparison(official, generated)
write_csv(cells, snakemake.output.cells)
write_table(per_corruption(cells), snakemake.output.csv,
            f"{snakemake.wildcards.name} on {snakemake.wildcards.dataset}: accuracy (%) on the official -C images and on "
            "this pipeline's generated ones, mean over severities, and the difference official - generated (points).",
            provenance(snakemake.config))
