# Config validation, wildcard constraints, path helpers and target lists of the DAMP side (the learned-optimizer
# helpers live in lopt.smk). Every helper reads the validated config through robopt, which builds ids and settings.
import re
import sys
from pathlib import Path

SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, SRC)  # the checkout's package, even without `pip install -e`

from robopt.runtime import export_package_path  # noqa: E402

export_package_path(SRC)  # ... and in every job, whose environment may not have it installed (`--sdm conda`)

from robopt.allocator import export_job_allocator  # noqa: E402

export_job_allocator()  # every job keeps freed tensors' memory instead of mapping it anew (benchmarks/allocator.py)
#: The software of every job with `--sdm conda` (otherwise the active environment's); robopt comes from SRC.
ROBOPT_ENV = "../envs/robopt.yaml"

from robopt.config import check_config, data_source, validate_config  # noqa: E402
from robopt.corruptions import CORRUPTIONS as CORRUPTION_REGISTRY  # noqa: E402
from robopt.corruptions.sets import corrupted_set_files  # noqa: E402
from robopt.data import DATASETS as DATASET_REGISTRY  # noqa: E402
from robopt.evaluate.published import heatmap_figure_name, has_published_comparison  # noqa: E402
from robopt.report import damp_scale_note, damp_scale_notes  # noqa: E402
from robopt.train.methods import meta_set_use  # noqa: E402
from robopt.variants import (  # noqa: E402
    EXTERNAL_PREFIX,
    external_variants,
    model_labels,
    sweep_variants,
    trained_variants,
    training_job,
    tune_grid,
    variants,
)

validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))
check_config(config)

DATASETS = config["datasets"]
SEEDS = config["seeds"]
CORRUPTIONS = config["corruptions"]["names"]
VARIANTS = {dataset: variants(config, dataset) for dataset in DATASETS}  # {dataset: {variant id: Variant}}
LOPT_ENABLED = "lopt" in config
IMAGENET_ENABLED = "imagenet" in config


EXTERNAL = config.get("external_models", {})


wildcard_constraints:
    dataset="|".join(DATASET_REGISTRY.names()),
    name="|".join(re.escape(name) for name in EXTERNAL) or "no_external_model",
    variant="|".join(sorted({re.escape(v) for table in VARIANTS.values() for v in table}, key=len, reverse=True)),
    method="|".join(config["methods"]),
    corruption="|".join(CORRUPTION_REGISTRY.names()),
    seed=r"\d+",


def variant_of(wildcards):
    return VARIANTS[wildcards.dataset][wildcards.variant]


def corrupted_folder(dataset):
    """Where the <dataset>-C files live: the official release if configured, else our generated set."""
    return config["corruptions"]["official"].get(dataset, f"results/corrupt/{dataset}")


def class_ids(wildcards):
    """Class folder names of a JPEG-tree -C set: Tiny-ImageNet's WordNet ids, else the class names."""
    if wildcards.dataset == "tinyimagenet" and "tinyimagenet" in config["data"]:
        from robopt.data.tinyimagenet import read_wnids

        try:
            return read_wnids(config["data"]["tinyimagenet"]["root"])
        except Exception:  # noqa: BLE001 - absent before download: the reader names the file when it is needed
            return None
    return None


def corrupted_folder_of(wildcards):
    return corrupted_folder(wildcards.dataset)


def corruption_source_of(wildcards):
    """The corruption_source column: official when corruptions.official names this dataset's release."""
    return "official" if wildcards.dataset in config["corruptions"]["official"] else "generated"


def corrupted_files(wildcards):
    return corrupted_set_files(corrupted_folder(wildcards.dataset), CORRUPTIONS)


def corrupted_set_targets():
    return [path for dataset in DATASETS for path in corrupted_set_files(corrupted_folder(dataset), CORRUPTIONS)]


def model_files(kind, entries):
    """``results/{train|evaluate}/<dataset>/<variant>/seed<seed>/<file>`` for (dataset, variants, seeds) entries."""
    folder, name = {
        "model": ("train", "model.pt"),
        "history": ("train", "history.csv"),
        "metrics": ("evaluate", "metrics.csv"),
        "robustbench": ("evaluate", "robustbench.json"),
    }[kind]
    return [
        f"results/{folder}/{dataset}/{variant.id}/seed{seed}/{name}"
        for dataset, chosen, seeds in entries
        for variant in chosen
        for seed in seeds
    ]


def trained_entries(datasets=None):
    return [(dataset, trained_variants(config, dataset), SEEDS) for dataset in datasets or DATASETS]


def model_targets():
    return model_files("model", trained_entries())


def metric_targets(datasets=None):
    """Metric files of every trained and external model of ``datasets`` (default: every dataset)."""
    datasets = datasets or DATASETS
    external = [(dataset, external_variants(config, dataset), [0]) for dataset in datasets]
    return model_files("metrics", trained_entries(datasets)) + model_files("metrics", external)


def dataset_metric_targets(wildcards):
    """Metric files of one dataset's models: a figure of one dataset plans that dataset's jobs only."""
    return metric_targets([wildcards.dataset])


def model_file(wildcards):
    """The model an evaluation reads: a trained model.pt, or an external model's materialised file."""
    variant = variant_of(wildcards)
    if variant.method == "external":
        return f"results/external/{wildcards.dataset}/{variant.id.removeprefix(EXTERNAL_PREFIX)}/model.pt"
    return f"results/train/{wildcards.dataset}/{wildcards.variant}/seed{wildcards.seed}/model.pt"


def external_entry(wildcards):
    """The external_models entry of this model (validated)."""
    return dict(EXTERNAL[wildcards.name])


def external_files(wildcards):
    """The files an external model is built from (a file: source, the weights of a library architecture)."""
    from robopt.external.sources import parse_source

    entry = EXTERNAL[wildcards.name]
    kind, rest = parse_source(entry["source"], f"external_models.{wildcards.name}")
    return ([rest] if kind == "file" else []) + ([entry["weights"]] if entry.get("weights") else [])


def external_targets():
    """One RobustBench JSON per external model (its evaluation and materialisation come with it), and where the
    dataset's official -C release is configured, the model on it beside the generated set."""
    targets = [f"results/external/{entry['dataset']}/{name}/robustbench.json" for name, entry in EXTERNAL.items()]
    targets += ["results/tables/external_models.csv"] if EXTERNAL else []
    return targets + [
        f"results/external/{entry['dataset']}/{name}/generated_vs_official.csv"
        for name, entry in EXTERNAL.items()
        if entry["dataset"] in config["corruptions"]["official"]
    ]


def generated_set_files(wildcards):
    """This pipeline's generated -C set of the dataset (made even where the official release is evaluated)."""
    return corrupted_set_files(f"results/corrupt/{wildcards.dataset}", CORRUPTIONS)


def heatmap_figure(dataset):
    return f"results/figures/{heatmap_figure_name(dataset)}.pdf"


def heatmap_table(wildcards):
    """Input of a heatmap figure; a figure number that belongs to another dataset is refused by name."""
    expected = heatmap_figure(wildcards.dataset)
    if Path(expected).name != f"damp_{wildcards.figure}_{wildcards.dataset}.pdf":
        raise ValueError(f"the DAMP heatmap of {wildcards.dataset} is {expected}")
    return f"results/tables/damp_corruption_error_{wildcards.dataset}.csv"


def figure_targets():
    if not DATASETS:  # an ImageNet-only config
        return []
    targets = ["results/figures/damp_fig3.pdf", "results/tables/damp_error_by_severity.csv"]
    targets += [f"results/figures/corruptions_{dataset}.pdf" for dataset in DATASETS]
    targets += [f"results/figures/training_curves_{dataset}.pdf" for dataset in DATASETS]
    if "sgd" in config["methods"]:  # the corruption error is normalised by SGD
        targets.append("results/tables/damp_corruption_error.csv")
        if len(trained_entries()[0][1]) > 1:
            targets += [heatmap_figure(dataset) for dataset in DATASETS]
            biased = any(config["training"][dataset].get("bias") for dataset in DATASETS)
            if has_published_comparison(DATASETS, config["comparison"]["stand_ins"]) and not biased:
                targets.append("results/tables/damp_heatmap_vs_paper.csv")
        if len(SEEDS) >= 2:
            targets.append("results/tables/damp_verdict.csv")
    if config["sigma_sweep"]["methods"]:
        targets += ["results/figures/damp_fig2.pdf", "results/tables/damp_sigma_sweep.csv"]
    targets += leaderboard_targets()
    targets += [f"results/figures/tuning_{dataset}.pdf" for dataset in DATASETS if tuned_methods(dataset)]
    return targets + reweighting_targets()


def leaderboard_targets():
    """Each dataset's leaderboard (table and figure) and, where RobustBench's 15 corruptions are evaluated, every
    trained model's RobustBench JSON."""
    from robopt.evaluate.robustbench import ROBUSTBENCH_CORRUPTIONS

    targets = [
        f"results/{kind}/leaderboard_{dataset}.{ext}"
        for dataset in DATASETS
        for kind, ext in (("tables", "csv"), ("figures", "pdf"))
    ]
    if set(ROBUSTBENCH_CORRUPTIONS) <= set(CORRUPTIONS):
        targets += model_files("robustbench", trained_entries())
    return targets


def robustbench_names(wildcards):
    """{external variant id: RobustBench model name} of the dataset's external models that name one."""
    return {
        f"{EXTERNAL_PREFIX}{name}": entry["robustbench_name"]
        for name, entry in EXTERNAL.items()
        if entry["dataset"] == wildcards.dataset and entry.get("robustbench_name")
    }


def reweighting_targets():
    """The meta-reweighting table and figures of every dataset whose methods use a meta set."""
    uses = {meta_set_use(method) for method in config["methods"]} - {None}
    names = ["results/tables/reweighting_{dataset}.csv"] if uses else []
    names += ["results/figures/reweighting_weights_{dataset}.pdf"] if "meta" in uses else []
    names += ["results/figures/mwnet_weight_function_{dataset}.pdf"] if "mwnet" in config["methods"] else []
    return [name.format(dataset=dataset) for dataset in DATASETS for name in names]


def mwnet_histories(wildcards):
    """Training histories of Meta-Weight-Net on this dataset, every seed."""
    return model_files("history", [(wildcards.dataset, [VARIANTS[wildcards.dataset]["mwnet"]], SEEDS)])


def bias_setting(wildcards):
    """The dataset's bias block in words (label noise, imbalance, meta set), for captions."""
    from robopt.data.bias import bias_words

    return bias_words(config["training"][wildcards.dataset].get("bias"))


def training_histories(wildcards):
    return model_files("history", trained_entries([wildcards.dataset]))


def provenance_labels(wildcards, output):
    """Report labels of a figure or table: its file, and the commit, date and device it was computed with
    (read from the file's own metadata when the report is built)."""
    from robopt.provenance import read_provenance

    meta = read_provenance(output[0])
    labels = {"file": Path(output[0]).name}
    labels.update({key: meta.get(key, "not recorded") for key in ("commit", "date", "device")})
    return labels


def sigma_sweep_metric_files(wildcards=None):
    """Metrics of every model of DAMP Fig. 2 (SGD, each swept method at each sigma), every dataset and sweep seed."""
    seeds = config["sigma_sweep"].get("seeds") or SEEDS
    return model_files("metrics", [(dataset, sweep_variants(config, dataset), seeds) for dataset in DATASETS])


def final_outputs():
    targets = figure_targets() + tune_targets() + (["results/tables/metrics.csv"] if DATASETS else [])
    targets += external_targets()
    return targets + (lopt_targets() if LOPT_ENABLED else []) + (imagenet_targets() if IMAGENET_ENABLED else [])


def training_settings(wildcards):
    """The flat settings of this (dataset, variant)'s training job (robopt.train.TrainSettings fields)."""
    return training_job(config, wildcards.dataset, variant_of(wildcards))


def tuned_choice(wildcards):
    """The sweep choice a tuned variant (a key set to ``tuned``) trains with; nothing for fixed hyperparameters."""
    variant = variant_of(wildcards)
    return tune_file(wildcards.dataset, variant.method, "choice.json") if variant.tuned else []


def tuned_parameter(wildcards):
    """The key (sigma, rho) whose value the variant reads from its sweep's choice, or None."""
    return variant_of(wildcards).tuned


def tuning_settings(wildcards):
    """The training settings of the configured method whose `tune` block the tune_method rule sweeps."""
    return training_job(config, wildcards.dataset, VARIANTS[wildcards.dataset][wildcards.method])


def variant_labels(wildcards):
    """The tidy columns (variant, method, train_corruption, sigma, then the bias columns) of this model's rows."""
    return model_labels(config, wildcards.dataset, variant_of(wildcards))


def training_labels(wildcards):
    """The tidy columns of a training history: the dataset, then the variant's."""
    return {"dataset": wildcards.dataset, **variant_labels(wildcards)}


#: Models small enough that jobs run fastest one thread each, side by side (the CIFAR ResNets at width 1).
SMALL_MODELS = ("small_cnn", "resnet8", "resnet14", "resnet20", "resnet32")


def is_small_model(dataset):
    training = config["training"][dataset]
    return training["model"] in SMALL_MODELS and training.get("width", 1) == 1


def tuning_threads(wildcards):
    """Small models train fastest one thread per job (jobs run side by side); larger ones get more."""
    return 1 if is_small_model(wildcards.dataset) else 4


def training_threads(wildcards):
    """A training job's threads: those of a tuning job for each of its ranks on this node."""
    return tuning_threads(wildcards) * config["distributed"]["training"]["devices"]


def evaluation_threads(wildcards):
    """A small model's evaluation is mostly start-up and reading: one thread, so two run side by side on 2 cores."""
    return 1 if is_small_model(wildcards.dataset) else 2


def job_gpus(ranks, device):
    """GPUs per node of a job over ``ranks`` (a validated devices x nodes block: ``distributed.<stage>`` or
    ``imagenet.distributed``; a SLURM profile turns this into --gpus), none on the CPU; a multi-node job asks for
    them per node through ``gres`` instead (``multi_node_resources``)."""
    return 0 if device == "cpu" or ranks["nodes"] > 1 else ranks["devices"]


def multi_node_resources(ranks, device):
    """SLURM resources of a job over several nodes (``ranks`` as in ``job_gpus``): one task per node (srun starts
    torchrun there, see robopt.distributed.launch; `mpi` keeps the executor from wrapping the job in a one-task
    srun), GPUs per node."""
    if ranks["nodes"] == 1:
        return {}
    extra = {"nodes": ranks["nodes"], "tasks": ranks["nodes"], "mpi": "srun", "tasks_per_gpu": 0}
    if device != "cpu":
        extra["gres"] = f"gpu:{ranks['devices']}"
    return extra


def gpus_for_training(wildcards):
    return job_gpus(config["distributed"]["training"], config["device"])


def gpus_for_tuning(wildcards):
    """A tuning job trains its grid one model after another on one device."""
    return 0 if config["device"] == "cpu" else 1


def tune_params(wildcards):
    """{"parameter": name, "grid": values} of this (dataset, method) from its `tune` block."""
    parameter, grid = tune_grid(config, wildcards.dataset, wildcards.method)
    return {"parameter": parameter, "grid": grid}


def tuned_methods(dataset):
    """The configured methods of ``dataset`` with a `tune` block."""
    return [method for method in config["methods"] if tune_grid(config, dataset, method)]


def tune_file(dataset, method, name):
    """``results/tune/<dataset>/<method>/<name>``: an output (sweep.csv, choice.json) of the tune_method rule."""
    return f"results/tune/{dataset}/{method}/{name}"


def tune_sweep_files(wildcards):
    return [tune_file(wildcards.dataset, method, "sweep.csv") for method in tuned_methods(wildcards.dataset)]


def tune_targets():
    return [tune_file(dataset, method, "choice.json") for dataset in DATASETS for method in tuned_methods(dataset)]


def dataset_source(wildcards):
    """Keyword arguments of the reader of this dataset (root/download, or the synthetic generator's)."""
    return data_source(config, wildcards.dataset)


def scale_note(wildcards=None):
    """One line per dataset saying at which scale the numbers were computed (epochs, images)."""
    return damp_scale_note(config)
