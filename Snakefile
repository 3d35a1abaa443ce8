# robopt: robustness to input corruptions, end to end.
#
# Path scheme (all generated, under results/):
#   data/{dataset}/{train,test}.pt, meta.json             clean tensors (uint8 NHWC) + metadata
#   corrupt/{dataset}/{corruption}.npy, labels.npy         <dataset>-C, severities 1..5 stacked (CIFAR-10-C layout)
#   train/{dataset}/{method}/seed{seed}/model.pt           trained weights (+ history.csv)
#   evaluate/{dataset}/{method}/seed{seed}/metrics.csv     clean + every (corruption, severity), tidy
#   tables/*.csv|md|tex, figures/*.pdf|png                 paper tables and figures
#   logs/{rule}/..., benchmarks/{rule}/...                 one log and one benchmark TSV per job
#   lopt/{experiment}/seed{seed}/theta.pt, curve.csv         learned optimizer per outer-training seed
#   lopt/{experiment}/selected.pt, evaluation.csv         best seed and its inner-training runs; lopt/adam/{noise}.csv
#   checkpoints/...                                        resumable training state (not declared outputs)

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/corrupt.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/lopt.smk"


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
        figure_targets(),
