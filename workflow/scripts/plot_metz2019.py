"""plot_metz2019: one figure of Metz et al. (2019) from the tidy learned-optimizer tables (PDF + PNG)."""

from robopt.evaluate import read_tidy
from robopt.logs import log_to_file
from robopt.plots import provenance
from robopt.plots.metz import (
    CURVE_COLUMNS,
    EVALUATION_COLUMNS,
    PROGRESS_COLUMNS,
    plot_corruption_panels,
    plot_inner_training,
    plot_noise_scales,
    plot_outer_training,
)

log_to_file(snakemake.log[0])
figure, pdf, params = snakemake.wildcards.figure, snakemake.output.pdf, snakemake.params.figure
evaluation = read_tidy(snakemake.input.evaluation, EVALUATION_COLUMNS)
meta = provenance(snakemake.config)
if figure == "fig1a":
    progress, curves = (read_tidy(snakemake.input[name], columns) for name, columns in
                        [("progress", PROGRESS_COLUMNS), ("curves", CURVE_COLUMNS)])
    plot_outer_training(progress, curves, evaluation, params["sigma"], pdf, meta)
elif figure == "fig1b":
    plot_inner_training(evaluation, params["sigma"], pdf, meta)
elif figure == "fig1c":
    plot_noise_scales(evaluation, pdf, meta)
elif figure == "fig2":
    plot_corruption_panels(evaluation, ["glass_blur", "shot_noise"], params["severities"], pdf, meta)
else:
    plot_corruption_panels(evaluation, ["fog", "brightness"], params["severities"], pdf, meta)
