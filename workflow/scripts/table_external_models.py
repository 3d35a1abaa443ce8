"""table_external_models: every external model's RobustBench-format result -> one table, beside the stored
leaderboard values of the same RobustBench model where there is one."""

from robopt.evaluate.robustbench import beside_leaderboard, external_result
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
results = [external_result(name, snakemake.params.entries[name], info, cells) for name, info, cells in
           zip(snakemake.params.names, snakemake.input.infos, snakemake.input.cells, strict=True)]
write_table(beside_leaderboard(results), snakemake.output.csv,
            "External models in RobustBench's format (clean accuracy; corruption accuracy = unweighted mean over its 15 "
            "corruptions x 5 severities, %; mCE against AlexNet on ImageNet only), with the images used (n_images per "
            "cell, generated or official -C, protocol), beside RobustBench's published values of the same model (its "
            "commit given) where stored.",
            provenance(snakemake.config))
