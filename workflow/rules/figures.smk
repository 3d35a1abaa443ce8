# Tidy metrics -> the papers' figures and tables (PDF + PNG, CSV + Markdown + LaTeX), each a target of its own.


rule plot_damp_fig3:
    input:
        "results/tables/metrics.csv",
    output:
        pdf=report(
            "results/figures/damp_fig3.pdf",
            caption="../report/damp_fig3.rst",
            category="DAMP (Trinh et al. 2024)",
        ),
        png="results/figures/damp_fig3.png",
    params:
        config=config,
    log:
        "results/logs/plot_damp_fig3/plot_damp_fig3.log",
    benchmark:
        "results/benchmarks/plot_damp_fig3/plot_damp_fig3.tsv"
    script:
        "../scripts/plot_damp_fig3.py"


rule table_damp_error_by_severity:
    input:
        "results/tables/metrics.csv",
    output:
        csv=report(
            "results/tables/damp_error_by_severity.csv",
            caption="../report/damp_error_by_severity.rst",
            category="DAMP (Trinh et al. 2024)",
        ),
        md="results/tables/damp_error_by_severity.md",
        tex="results/tables/damp_error_by_severity.tex",
    params:
        scale=scale_note,
    log:
        "results/logs/table_damp_error_by_severity/table_damp_error_by_severity.log",
    benchmark:
        "results/benchmarks/table_damp_error_by_severity/table_damp_error_by_severity.tsv"
    script:
        "../scripts/table_damp_error_by_severity.py"


rule table_damp_corruption_error:
    input:
        "results/tables/metrics.csv",
    output:
        csv=report(
            "results/tables/damp_corruption_error.csv",
            caption="../report/damp_corruption_error.rst",
            category="DAMP (Trinh et al. 2024)",
        ),
        md="results/tables/damp_corruption_error.md",
        tex="results/tables/damp_corruption_error.tex",
    params:
        scale=scale_note,
    log:
        "results/logs/table_damp_corruption_error/table_damp_corruption_error.log",
    benchmark:
        "results/benchmarks/table_damp_corruption_error/table_damp_corruption_error.tsv"
    script:
        "../scripts/table_damp_corruption_error.py"


# -- Metz et al. (2019): learned optimizers ---------------------------------------------------------------------


rule plot_metz2019:
    input:
        evaluation="results/tables/lopt_evaluation.csv",
        curves="results/tables/lopt_outer_curves.csv",
    output:
        pdf=report(
            "results/figures/metz2019_{figure}.pdf",
            caption="../report/metz2019.rst",
            category="Learned optimizers (Metz et al. 2019)",
        ),
        png="results/figures/metz2019_{figure}.png",
    params:
        lopt=config.get("lopt"),
        config=config,
    wildcard_constraints:
        figure="fig1a|fig1b|fig1c|fig2|appB",
    log:
        "results/logs/plot_metz2019/{figure}.log",
    benchmark:
        "results/benchmarks/plot_metz2019/{figure}.tsv"
    script:
        "../scripts/plot_metz2019.py"


rule plot_damp_heatmap:
    # DAMP Fig. 1 (CIFAR-100), Fig. 4 (CIFAR-10), Fig. 5 (Tiny-ImageNet); any configured dataset.
    input:
        "results/tables/damp_corruption_error.csv",
    output:
        pdf=report(
            "results/figures/damp_heatmap_{dataset}.pdf",
            caption="../report/damp_heatmap.rst",
            category="DAMP (Trinh et al. 2024)",
        ),
        png="results/figures/damp_heatmap_{dataset}.png",
    params:
        seeds=SEEDS,
        config=config,
    log:
        "results/logs/plot_damp_heatmap/{dataset}.log",
    benchmark:
        "results/benchmarks/plot_damp_heatmap/{dataset}.tsv"
    script:
        "../scripts/plot_damp_heatmap.py"
