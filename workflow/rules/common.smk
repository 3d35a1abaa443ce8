# Config validation, wildcard constraints, path helpers and target lists. The only rule file with top-level Python.
import sys
from pathlib import Path

from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "src"))  # use the checkout's package even without `pip install -e`

from robopt.config import (  # noqa: E402
    check_config,
    data_source,
    method_params,
    method_sigma,
    sigma_sweep_models,
    split_method,
    trained_methods,
    training_block,
)
from robopt.corruptions import CORRUPTIONS as CORRUPTION_REGISTRY  # noqa: E402
from robopt.lopt.settings import train_noise_kind as lopt_train_noise_kind  # noqa: E402
from robopt.data import CORRUPTION_SCALE  # noqa: E402
from robopt.data import DATASETS as DATASET_REGISTRY  # noqa: E402


validate(config, workflow.source_path("../schemas/config.schema.yaml"), set_default=True)
check_config(config)

DATASETS = config["datasets"]
METHODS = config["methods"]
TRAINED_METHODS = trained_methods(config)  # METHODS plus sgd_aug_<corruption> (corruption augmentation)
SEEDS = config["seeds"]
CORRUPTIONS = config["corruptions"]["names"]


wildcard_constraints:
    dataset="|".join(DATASET_REGISTRY.names()),
    method=r"[a-z0-9_]+(_sigma[0-9.e-]+)?",
    corruption="|".join(CORRUPTION_REGISTRY.names()),
    seed=r"\d+",


def corrupted_folder(dataset):
    """Where the <dataset>-C files live: the official release if configured, else our generated set."""
    return config["corruptions"]["official"].get(dataset, f"results/corrupt/{dataset}")


def corrupted_set_paths(dataset):
    """The corruption files of <dataset>-C (``<c>.npy``, or a ``<c>/`` JPEG tree in an official release), then
    ``labels.npy`` where the CIFAR-10-C layout needs it."""
    folder = corrupted_folder(dataset)
    trees = [name for name in CORRUPTIONS if Path(folder, name).is_dir() and not Path(folder, f"{name}.npy").exists()]
    paths = [f"{folder}/{name}" if name in trees else f"{folder}/{name}.npy" for name in CORRUPTIONS]
    return paths + ([] if len(trees) == len(CORRUPTIONS) else [f"{folder}/labels.npy"])


def class_ids(wildcards):
    """Class folder names of a JPEG-tree -C set: Tiny-ImageNet's WordNet ids, else the class names."""
    if wildcards.dataset == "tinyimagenet" and "tinyimagenet" in config.get("data", {}):
        from robopt.data.tinyimagenet import read_wnids

        try:
            return read_wnids(config["data"]["tinyimagenet"]["root"])
        except Exception:  # noqa: BLE001 - absent before download: the reader names the file when it is needed
            return None
    return None


def corrupted_folder_of(wildcards):
    return corrupted_folder(wildcards.dataset)


def corrupted_files(wildcards):
    return corrupted_set_paths(wildcards.dataset)


def corrupted_set_targets():
    return [path for dataset in DATASETS for path in corrupted_set_paths(dataset)]


def model_targets():
    return expand(
        "results/train/{dataset}/{method}/seed{seed}/model.pt", dataset=DATASETS, method=TRAINED_METHODS, seed=SEEDS
    )


def metric_targets():
    return expand(
        "results/evaluate/{dataset}/{method}/seed{seed}/metrics.csv",
        dataset=DATASETS,
        method=TRAINED_METHODS,
        seed=SEEDS,
    )


#: DAMP's heatmap figure numbers per dataset (arXiv v1: Fig. 1 CIFAR-100, Fig. 4 CIFAR-10, Fig. 5 Tiny-ImageNet).
PAPER_HEATMAPS = {"cifar100": "fig1", "cifar10": "fig4", "tinyimagenet": "fig5"}


def heatmap_figure(dataset):
    """``damp_fig1_cifar100.pdf`` etc. for the paper's datasets, ``damp_heatmap_<dataset>.pdf`` for others."""
    return f"results/figures/damp_{PAPER_HEATMAPS.get(dataset, 'heatmap')}_{dataset}.pdf"


def heatmap_table(wildcards):
    """Input of a heatmap figure; a figure number that belongs to another dataset is refused by name."""
    expected = heatmap_figure(wildcards.dataset)
    if Path(expected).name != f"damp_{wildcards.figure}_{wildcards.dataset}.pdf":
        raise ValueError(f"the DAMP heatmap of {wildcards.dataset} is {expected}")
    return "results/tables/damp_corruption_error.csv"


def has_published_comparison():
    stand_ins = config["comparison"].get("stand_ins", {})
    return any(dataset in PAPER_HEATMAPS or dataset in stand_ins for dataset in DATASETS)


def figure_targets():
    targets = ["results/figures/damp_fig3.pdf", "results/tables/damp_error_by_severity.csv"]
    targets += [f"results/figures/corruptions_{dataset}.pdf" for dataset in DATASETS]
    targets += [f"results/figures/training_curves_{dataset}.pdf" for dataset in DATASETS]
    if "sgd" in METHODS:  # the corruption error is normalised by SGD
        targets.append("results/tables/damp_corruption_error.csv")
        if len(TRAINED_METHODS) > 1:
            targets += [heatmap_figure(dataset) for dataset in DATASETS]
            if has_published_comparison():
                targets.append("results/tables/damp_heatmap_vs_paper.csv")
    if config["sigma_sweep"].get("methods"):
        targets += ["results/figures/damp_fig2.pdf", "results/tables/damp_sigma_sweep.csv"]
    return targets


def training_histories(wildcards):
    return expand(
        "results/train/{dataset}/{method}/seed{seed}/history.csv",
        dataset=wildcards.dataset,
        method=TRAINED_METHODS,
        seed=SEEDS,
    )


def provenance_labels(wildcards, output):
    """Report labels of a figure or table: its file, and the commit, date and device it was computed with
    (read from the file's own metadata when the report is built)."""
    from robopt.plots.style import read_provenance

    meta = read_provenance(output[0])
    labels = {"file": Path(output[0]).name}
    labels.update({key: meta.get(key, "not recorded") for key in ("commit", "date", "device")})
    return labels


def sweep_seeds():
    return config["sigma_sweep"].get("seeds") or SEEDS


def sigma_sweep_metric_files(wildcards=None):
    """Metrics of every model of DAMP Fig. 2 (SGD, each swept method at each sigma), every dataset and sweep seed."""
    return [
        f"results/evaluate/{dataset}/{model_id}/seed{seed}/metrics.csv"
        for dataset in DATASETS
        for model_id, _, _ in sigma_sweep_models(config, dataset)
        for seed in sweep_seeds()
    ]


def sigma_sweep_labels():
    """{dataset: [[method id, base method, sigma], ...]} of the sweep (params of the table rule)."""
    return {dataset: [list(entry) for entry in sigma_sweep_models(config, dataset)] for dataset in DATASETS}


def final_outputs():
    return figure_targets() + tune_targets() + lopt_targets() + ["results/tables/metrics.csv"]


def training_params(wildcards):
    """Shared training settings of the dataset plus the method's own hyperparameters."""
    block = training_block(config, wildcards.dataset)
    block.pop("methods", None)
    method, train_corruption = split_method(wildcards.method)
    params = method_params(config, wildcards.dataset, method)
    params.pop("tune", None)
    sigma = method_sigma(wildcards.method)
    if sigma is not None:  # a model of the sigma sweep (DAMP Fig. 2)
        params["sigma"] = sigma
    block["method_params"] = params
    if train_corruption:
        block["train_corruptions"] = [train_corruption]
        block["train_severities"] = config["augmented_training"]["severities"]
        block["corruption_scale"] = CORRUPTION_SCALE[wildcards.dataset]
    return block


def base_method(wildcards):
    """The optimisation method of a trained-method id (``sgd`` for ``sgd_aug_<corruption>``)."""
    return split_method(wildcards.method)[0]


def training_threads(wildcards):
    """Small models train fastest one thread per job (jobs run side by side); larger ones get more."""
    return 1 if config["training"][wildcards.dataset]["model"] == "small_cnn" else 4


def gpus_for_training(wildcards):
    """One GPU per training job unless the config pins the CPU (a SLURM profile turns this into --gpus=1)."""
    return 0 if config["device"] == "cpu" else 1


def tune_grid(wildcards):
    """{"parameter": name, "grid": values} of this (dataset, method) from its `tune` block."""
    ((parameter, grid),) = method_params(config, wildcards.dataset, wildcards.method)["tune"].items()
    return {"parameter": parameter, "grid": grid}


def tune_targets():
    return [
        f"results/tune/{dataset}/{method}/choice.json"
        for dataset in DATASETS
        for method in METHODS
        if "tune" in method_params(config, dataset, method)
    ]


def dataset_source(wildcards):
    """Keyword arguments of the reader of this dataset (root/download, or the synthetic generator's)."""
    return data_source(config, wildcards.dataset)


def scale_notes():
    """{dataset: model, epochs, training images, seeds}: the scale at which the DAMP-side numbers were computed."""
    notes = {}
    for dataset in DATASETS:
        block = config["training"][dataset]
        source = config["data"].get(dataset, {})
        images = f"{source['n_train']} generated" if dataset == "synthetic" else "full"
        notes[dataset] = f"{block['model']}, {block['epochs']} epochs, {images} training images, {len(SEEDS)} seed{'s' * (len(SEEDS) != 1)}"
    return notes


def scale_note(wildcards=None):
    """One line per dataset saying at which scale the numbers were computed (epochs, images)."""
    return "; ".join(f"{dataset}: {note}" for dataset, note in scale_notes().items())


# -- learned optimizers (Metz et al. 2019): present only when the config has an `lopt` block ------------------------
LOPT = config.get("lopt")
LOPT_DATASET = LOPT["dataset"] if LOPT else "synthetic"
LOPT_EXPERIMENTS = list(LOPT["experiments"]) if LOPT else []
LOPT_NOISES = sorted({lopt_train_noise_kind(LOPT, e) for e in LOPT_EXPERIMENTS}) if LOPT else []


def lopt_seeds(experiment):
    if not LOPT or experiment not in LOPT["experiments"]:
        raise ValueError(f"unknown lopt experiment {experiment!r}; configured: {', '.join(LOPT_EXPERIMENTS)}")
    return LOPT["experiments"][experiment]["seeds"]


def lopt_seed_outputs(wildcards):
    """Curves and meta-parameters of every outer-training seed of one experiment."""
    seeds = lopt_seeds(wildcards.experiment)
    return {
        "curves": [f"results/lopt/{wildcards.experiment}/seed{seed}/curve.csv" for seed in seeds],
        "thetas": [f"results/lopt/{wildcards.experiment}/seed{seed}/theta.pt" for seed in seeds],
    }


LOPT_SHARED_KEYS = ("dataset", "validation_fraction", "split_seed", "device", "implementation", "corruption_mix")


def lopt_job_params(stage):
    """Params of a learned-optimizer job: only the keys it reads, so that e.g. a changed evaluation setting
    does not rerun outer-training (Snakemake's params rerun trigger)."""

    def params(wildcards):
        block = {key: LOPT[key] for key in LOPT_SHARED_KEYS if key in LOPT}
        if stage == "adam":
            block["experiments"] = {  # only what sets the noise: the objective and its scale
                name: {"objective": spec["objective"], "sigma": spec.get("sigma", 0.05)}
                for name, spec in LOPT["experiments"].items()
                if lopt_train_noise_kind(LOPT, name) == wildcards.noise
            }
        else:
            block["experiments"] = {wildcards.experiment: LOPT["experiments"][wildcards.experiment]}
        if stage == "outer":
            block["outer"] = LOPT["outer"]
            block["experiments"][wildcards.experiment] = {
                k: v for k, v in block["experiments"][wildcards.experiment].items() if k != "train_noise"
            }
        else:
            block["evaluation"] = LOPT["evaluation"]
        return block

    return params


def lopt_gpus(wildcards):
    return 0 if LOPT and LOPT.get("device") == "cpu" else 1


def lopt_targets():
    """The learned-optimizer tables and the Metz figures the configured experiments support."""
    if not LOPT:
        return []
    objectives = {spec["objective"] for spec in LOPT["experiments"].values()}
    figures = ["fig1a", "fig1b", "fig1c"] if "gaussian" in objectives else []
    figures += ["fig2", "appB"] if "corruption" in objectives else []
    tables = ["results/tables/lopt_evaluation.csv", "results/tables/lopt_outer_curves.csv"]
    return tables + [f"results/figures/metz2019_{name}.pdf" for name in figures]


def lopt_scale_note(wildcards=None):
    """The scale of the learned-optimizer numbers: outer-training and evaluation sizes."""
    if not LOPT:
        return ""
    outer, evaluation = LOPT["outer"], LOPT["evaluation"]
    seeds = ", ".join(f"{name} {len(spec['seeds'])}" for name, spec in LOPT["experiments"].items())
    return (
        f"{LOPT['dataset']}: {outer['iterations']} outer iterations, population {2 * outer['pairs']}, inner batch "
        f"{outer['batch_size']}, truncation {outer['truncation']['start']} -> {outer['truncation']['end']} steps, "
        f"outer-training seeds ({seeds}); evaluation {evaluation['inner_steps']} inner steps on "
        f"{evaluation['test_images']} test images"
    )
