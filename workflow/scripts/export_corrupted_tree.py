"""export_corrupted_tree: <corruption>.npy -> <corruption>/<severity>/<class id>/<k>.JPEG (Tiny-ImageNet-C layout)."""

from pathlib import Path

from robopt.corruptions.sets import read_corrupted, write_corrupted_tree
from robopt.data import load_split
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
test = load_split(snakemake.input.test)
corruption = snakemake.wildcards.corruption
corrupted = read_corrupted(Path(snakemake.input.corrupted).parent, corruption, expected_labels=test.labels)
class_ids = snakemake.params.class_ids or [name.replace("/", "_") for name in test.class_names]
write_corrupted_tree(corrupted.images.flatten(0, 1), corrupted.labels, class_ids, Path(snakemake.output[0]).parent,
                     corruption)
