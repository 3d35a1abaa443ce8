# robopt: robustness to input corruptions, end to end.
#
# Path scheme (all generated, under results/; {variant} is a model id of robopt.variants: a method such as damp,
# sgd_aug_<corruption> or damp_sigma<value>):
#   data/{dataset}/{train,test}.pt, meta.json              clean tensors (uint8 NHWC) + metadata
#   corrupt/{dataset}/{corruption}.npy, labels.npy          <dataset>-C, severities 1..5 stacked (CIFAR-10-C layout)
#   corrupt_jpeg/{dataset}/{corruption}/{severity}/...      on demand: the same set as JPEG folders (Tiny-ImageNet-C)
#   train/{dataset}/{variant}/seed{seed}/model.pt           trained weights (+ history.csv)
#   tune/{dataset}/{method}/sweep.csv, choice.json          hold-out sweep of a method's `tune` hyperparameter
#   evaluate/{dataset}/{variant}/seed{seed}/metrics.csv     clean + every (corruption, severity), tidy
#   lopt/{experiment}/seed{seed}/theta.pt, curve.csv,       learned optimizer per outer-training seed, and its
#       progress.csv                                        snapshots inner-trained from scratch (Fig. 1a)
#   lopt/{experiment}/selected.pt, selection.csv, curves.csv, evaluation.csv
#                                                           best seed, why, and its inner-training runs
#   lopt/adam/{noise}.csv                                   the tuned-Adam baselines
#   external/{dataset}/{name}/model.pt, robustbench.json    an external model, materialised; its RobustBench-format result
#   tables/*.csv|md|tex, figures/*.pdf|png                  paper tables and figures (reweighting_*, external_models too)
#   report.html                                             `snakemake --report`: every figure and table
#   imagenet/{train,val}.index.pt, train/..., evaluate/...  DAMP's ImageNet Tables 1 and 2 (workflow/rules/imagenet.smk)
#   external/imagenet/{name}/evaluate/{test_set}.csv        an external model on ImageNet under its protocol
#   logs/{rule}/..., benchmarks/{rule}/...                  one log and one benchmark TSV per job
#   checkpoints/{train,lopt}/...                            resumable training state (not declared outputs)

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/corrupt.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"


if LOPT_ENABLED:  # the learned-optimizer stages (Metz et al. 2019) exist only when the config has an `lopt` block

    include: "workflow/rules/lopt.smk"


include: "workflow/rules/figures.smk"
include: "workflow/rules/reweighting.smk"
include: "workflow/rules/external.smk"


if IMAGENET_ENABLED:  # DAMP's ImageNet tables exist only when the config has an `imagenet` block (config/imagenet.yaml)

    include: "workflow/rules/imagenet.smk"
    include: "workflow/rules/external_imagenet.smk"


rule all:
    default_target: True
    input:
        final_outputs(),


rule corrupted:
    input:
        corrupted_set_targets(),


rule trained:
    input:
        model_targets(),


rule evaluated:
    input:
        metric_targets(),


rule figures:
    input:
        figure_targets() + (lopt_targets() if LOPT_ENABLED else []),
