# Tidy metrics -> the papers' figures and tables (PDF + PNG, CSV + Markdown + LaTeX), each a target of its own.
# Every report item is labelled with the commit, date and device read from the file's own metadata; the config is
# read for provenance inside the script, so an unrelated config change does not rerun a figure.

DAMP_CATEGORY = "DAMP (Trinh et al. 2024)"
METZ_CATEGORY = "Learned optimizers (Metz et al. 2019)"


rule plot_damp_fig3:
    input:
        "results/tables/metrics.csv",
    output:
        pdf=report(
            "results/figures/damp_fig3.pdf",
            caption="../report/damp_fig3.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/damp_fig3.png",
    log:
        "results/logs/plot_damp_fig3/plot_damp_fig3.log",
    benchmark:
        "results/benchmarks/plot_damp_fig3/plot_damp_fig3.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/plot_damp_fig3.py"


rule table_damp_error_by_severity:
    input:
        "results/tables/metrics.csv",
    output:
        csv=report(
            "results/tables/damp_error_by_severity.csv",
            caption="../report/damp_error_by_severity.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/damp_error_by_severity.md",
        tex="results/tables/damp_error_by_severity.tex",
    log:
        "results/logs/table_damp_error_by_severity/table_damp_error_by_severity.log",
    benchmark:
        "results/benchmarks/table_damp_error_by_severity/table_damp_error_by_severity.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/table_damp_error_by_severity.py"


rule table_damp_corruption_error:
    input:
        "results/tables/metrics.csv",
    output:
        csv=report(
            "results/tables/damp_corruption_error.csv",
            caption="../report/damp_corruption_error.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/damp_corruption_error.md",
        tex="results/tables/damp_corruption_error.tex",
    log:
        "results/logs/table_damp_corruption_error/table_damp_corruption_error.log",
    benchmark:
        "results/benchmarks/table_damp_corruption_error/table_damp_corruption_error.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/table_damp_corruption_error.py"


rule table_damp_corruption_error_of_dataset:
    # the table one dataset's heatmap reads: built from that dataset's metrics only
    input:
        "results/tables/metrics_{dataset}.csv",
    output:
        csv="results/tables/damp_corruption_error_{dataset}.csv",
        md="results/tables/damp_corruption_error_{dataset}.md",
        tex="results/tables/damp_corruption_error_{dataset}.tex",
    log:
        "results/logs/table_damp_corruption_error/{dataset}.log",
    benchmark:
        "results/benchmarks/table_damp_corruption_error/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/table_damp_corruption_error.py"


rule table_damp_verdict:
    # Per method: clean and mean corruption error over seeds, the paired difference to SGD with its 95% interval, and
    # better / worse / inconclusive; the per-seed numbers beside it. Built for any run with >= 2 seeds.
    input:
        "results/tables/metrics.csv",
    output:
        csv=report(
            "results/tables/damp_verdict.csv",
            caption="../report/damp_verdict.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/damp_verdict.md",
        tex="results/tables/damp_verdict.tex",
        per_seed="results/tables/damp_verdict_per_seed.csv",
    log:
        "results/logs/table_damp_verdict/table_damp_verdict.log",
    benchmark:
        "results/benchmarks/table_damp_verdict/table_damp_verdict.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/table_damp_verdict.py"


rule plot_tuning:
    # Every hold-out sweep of a `tune` block: hold-out error against the swept value, the choice marked; its table.
    input:
        tune_sweep_files,
    output:
        pdf=report(
            "results/figures/tuning_{dataset}.pdf",
            caption="../report/tuning.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/tuning_{dataset}.png",
        csv="results/tables/tuning_{dataset}.csv",
        md="results/tables/tuning_{dataset}.md",
        tex="results/tables/tuning_{dataset}.tex",
    log:
        "results/logs/plot_tuning/{dataset}.log",
    benchmark:
        "results/benchmarks/plot_tuning/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    script:
        "../scripts/plot_tuning.py"


rule table_damp_heatmap_vs_paper:
    # Our corruption error beside DAMP's published heatmap cells (or a configured stand-in's), with the difference.
    input:
        "results/tables/damp_corruption_error.csv",
    output:
        csv=report(
            "results/tables/damp_heatmap_vs_paper.csv",
            caption="../report/damp_heatmap_vs_paper.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/damp_heatmap_vs_paper.md",
        tex="results/tables/damp_heatmap_vs_paper.tex",
    log:
        "results/logs/table_damp_heatmap_vs_paper/table_damp_heatmap_vs_paper.log",
    benchmark:
        "results/benchmarks/table_damp_heatmap_vs_paper/table_damp_heatmap_vs_paper.tsv"
    conda:
        ROBOPT_ENV
    params:
        scales=damp_scale_notes(config),
        stand_ins=config["comparison"]["stand_ins"],
        scale=scale_note,
    script:
        "../scripts/table_damp_heatmap_vs_paper.py"


rule plot_damp_heatmap:
    # DAMP Fig. 1 (damp_fig1_cifar100), Fig. 4 (damp_fig4_cifar10), Fig. 5 (damp_fig5_tinyimagenet);
    # damp_heatmap_<dataset> for a dataset the paper did not use.
    input:
        heatmap_table,
    output:
        pdf=report(
            "results/figures/damp_{figure}_{dataset}.pdf",
            caption="../report/damp_heatmap.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/damp_{figure}_{dataset}.png",
    log:
        "results/logs/plot_damp_heatmap/{figure}_{dataset}.log",
    benchmark:
        "results/benchmarks/plot_damp_heatmap/{figure}_{dataset}.tsv"
    wildcard_constraints:
        figure="fig1|fig4|fig5|heatmap",
    conda:
        ROBOPT_ENV
    params:
        seeds=SEEDS,
        scale=scale_note,
    script:
        "../scripts/plot_damp_heatmap.py"


rule table_damp_sigma_sweep:
    input:
        sigma_sweep_metric_files,
    output:
        csv=report(
            "results/tables/damp_sigma_sweep.csv",
            caption="../report/damp_sigma_sweep.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/damp_sigma_sweep.md",
        tex="results/tables/damp_sigma_sweep.tex",
    log:
        "results/logs/table_damp_sigma_sweep/table_damp_sigma_sweep.log",
    benchmark:
        "results/benchmarks/table_damp_sigma_sweep/table_damp_sigma_sweep.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/table_damp_sigma_sweep.py"


rule plot_damp_fig2:
    input:
        "results/tables/damp_sigma_sweep.csv",
    output:
        pdf=report(
            "results/figures/damp_fig2.pdf",
            caption="../report/damp_fig2.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/damp_fig2.png",
    log:
        "results/logs/plot_damp_fig2/plot_damp_fig2.log",
    benchmark:
        "results/benchmarks/plot_damp_fig2/plot_damp_fig2.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/plot_damp_fig2.py"


rule plot_training_curves:
    input:
        training_histories,
    output:
        pdf=report(
            "results/figures/training_curves_{dataset}.pdf",
            caption="../report/training_curves.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/training_curves_{dataset}.png",
    log:
        "results/logs/plot_training_curves/{dataset}.log",
    benchmark:
        "results/benchmarks/plot_training_curves/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/plot_training_curves.py"


# -- Metz et al. (2019): learned optimizers ---------------------------------------------------------------------


if LOPT_ENABLED:

    rule plot_metz2019:
        input:
            evaluation="results/tables/lopt_evaluation.csv",
            curves="results/tables/lopt_outer_curves.csv",
            progress=lopt_progress_table,
        output:
            pdf=report(
                "results/figures/metz2019_{figure}.pdf",
                caption="../report/metz2019.rst",
                category=METZ_CATEGORY,
                labels=provenance_labels,
            ),
            png="results/figures/metz2019_{figure}.png",
        log:
            "results/logs/plot_metz2019/{figure}.log",
        benchmark:
            "results/benchmarks/plot_metz2019/{figure}.tsv"
        wildcard_constraints:
            figure="fig1a|fig1b|fig1c|fig2|appB",
        conda:
            ROBOPT_ENV
        params:
            figure=lopt_figure_params,
            scale=lopt_scale_note,
        script:
            "../scripts/plot_metz2019.py"

    rule table_lopt_selection:
        # The selection's meta-validation scores of every experiment: theta0 and each seed, the choice and why.
        input:
            expand("results/lopt/{experiment}/selection.csv", experiment=LOPT_EXPERIMENTS),
        output:
            csv=report(
                "results/tables/lopt_selection.csv",
                caption="../report/lopt_selection.rst",
                category=METZ_CATEGORY,
                labels=provenance_labels,
            ),
            md="results/tables/lopt_selection.md",
            tex="results/tables/lopt_selection.tex",
        log:
            "results/logs/table_lopt_selection/table_lopt_selection.log",
        benchmark:
            "results/benchmarks/table_lopt_selection/table_lopt_selection.tsv"
        conda:
            ROBOPT_ENV
        params:
            scale=lopt_scale_note,
        script:
            "../scripts/table_lopt_selection.py"


rule table_leaderboard:
    input:
        "results/tables/metrics_{dataset}.csv",
    output:
        csv=report(
            "results/tables/leaderboard_{dataset}.csv",
            caption="../report/leaderboard.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/leaderboard_{dataset}.md",
        tex="results/tables/leaderboard_{dataset}.tex",
    log:
        "results/logs/table_leaderboard/{dataset}.log",
    benchmark:
        "results/benchmarks/table_leaderboard/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
        known=robustbench_names,
    script:
        "../scripts/table_leaderboard.py"


rule plot_leaderboard:
    input:
        "results/tables/leaderboard_{dataset}.csv",
    output:
        pdf=report(
            "results/figures/leaderboard_{dataset}.pdf",
            caption="../report/leaderboard.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/leaderboard_{dataset}.png",
    log:
        "results/logs/plot_leaderboard/{dataset}.log",
    benchmark:
        "results/benchmarks/plot_leaderboard/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/plot_leaderboard.py"
