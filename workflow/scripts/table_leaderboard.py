"""table_leaderboard: one dataset's tidy metrics -> every trained and external model in RobustBench's numbers."""

from robopt.evaluate import TIDY_COLUMNS, read_tidy
from robopt.evaluate.leaderboard import leaderboard, leaderboard_markdown_frame
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
dataset = snakemake.wildcards.dataset
table = leaderboard(read_tidy(snakemake.input[0], TIDY_COLUMNS), dataset, snakemake.params.scale,
                    snakemake.params.known)
write_table(table, snakemake.output.csv,
            f"Leaderboard of {dataset}: every model trained here (mean +- std over seeds) and every model brought in, "
            "in RobustBench's numbers (clean accuracy; corruptions_acc = unweighted mean over its 15 corruptions x 5 "
            "severities, %), with the mean over every evaluated corruption, NLL and ECE (clean / mean corrupted), the "
            "corruption source and the scale each row was computed at; RobustBench's stored values beside a model it "
            "knows (robustbench_name). mCE needs an AlexNet reference: ImageNet only. Sorted by corruption accuracy.",
            provenance(snakemake.config), display=leaderboard_markdown_frame(table))
