# Helpers of the learned-optimizer rules (lopt.smk, which includes this file): targets, seeds and each job's params.
from robopt.lopt.settings import figure_params, noise_kinds, progress_experiments, stage_params  # noqa: E402
from robopt.report import lopt_scale_note as lopt_scale_words  # noqa: E402

LOPT = config["lopt"]  # validated and checked in common.smk
LOPT_DATASET = LOPT["dataset"]
LOPT_EXPERIMENTS = list(LOPT["experiments"])
LOPT_NOISES = noise_kinds(LOPT)


def lopt_seed_outputs(wildcards):
    """Curves, meta-parameters and meta-validation scores of every outer-training seed of one experiment."""
    if wildcards.experiment not in LOPT["experiments"]:
        raise ValueError(f"unknown lopt experiment {wildcards.experiment!r}; configured: {', '.join(LOPT_EXPERIMENTS)}")
    seeds = LOPT["experiments"][wildcards.experiment]["seeds"]
    return {
        "curves": [f"results/lopt/{wildcards.experiment}/seed{seed}/curve.csv" for seed in seeds],
        "thetas": [f"results/lopt/{wildcards.experiment}/seed{seed}/theta.pt" for seed in seeds],
        "validations": [f"results/lopt/{wildcards.experiment}/seed{seed}/validation.csv" for seed in seeds],
    }


def scores_theta0(wildcards):
    """theta0 (the initial optimizer) is the same for every seed, so the experiment's first seed alone scores it."""
    return int(wildcards.seed) == LOPT["experiments"][wildcards.experiment]["seeds"][0]


def lopt_progress_outputs():
    """Fig. 1a's progress runs: every seed of every Gaussian-objective experiment."""
    return [
        f"results/lopt/{experiment}/seed{seed}/progress.csv"
        for experiment in progress_experiments(LOPT)
        for seed in LOPT["experiments"][experiment]["seeds"]
    ]


def lopt_progress_table(wildcards):
    """Only Fig. 1a reads the progress runs: no other Metz figure waits for them."""
    return "results/tables/lopt_progress.csv" if wildcards.figure == "fig1a" else []


def lopt_job_params(stage):
    """Params of a learned-optimizer job: only the keys its stage reads (robopt.lopt.settings.stage_params)."""

    def params(wildcards):
        return stage_params(LOPT, stage, wildcards.noise if stage == "adam" else wildcards.experiment)

    return params


def lopt_threads(wildcards):
    """A population of a few small CNNs gains nothing from a second thread (jobs run side by side instead)."""
    return 1 if 2 * LOPT["outer"]["pairs"] <= 8 else 2


def lopt_gpus(wildcards):
    return 0 if LOPT["device"] == "cpu" else 1


def outer_training_threads(wildcards):
    return lopt_threads(wildcards) * config["distributed"]["outer_training"]["devices"]


def outer_training_gpus(wildcards):
    return job_gpus(config["distributed"]["outer_training"], LOPT["device"])


def lopt_targets():
    """The learned-optimizer tables and the Metz figures the configured experiments support."""
    objectives = {spec["objective"] for spec in LOPT["experiments"].values()}
    figures = ["fig1a", "fig1b", "fig1c"] if "gaussian" in objectives else []
    figures += ["fig2", "appB"] if "corruption" in objectives else []
    tables = ["results/tables/lopt_evaluation.csv", "results/tables/lopt_outer_curves.csv"]
    tables += ["results/tables/lopt_progress.csv", "results/tables/lopt_selection.csv"]
    tables += [f"results/tables/lopt_verdict_{name}.md" for name in progress_experiments(LOPT)]
    return tables + [f"results/figures/metz2019_{name}.pdf" for name in figures]


def lopt_figure_params(wildcards):
    return figure_params(LOPT)


def lopt_scale_note(wildcards=None):
    """The scale of the learned-optimizer numbers: outer-training and evaluation sizes."""
    return lopt_scale_words(LOPT)
