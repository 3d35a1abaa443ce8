"""The words of the report: at which scale the numbers of each paper's side were computed (captions and tables)."""

from __future__ import annotations

from typing import Any

from robopt.imagenet_protocol import TRAIN_SIZE


def seeds_label(count: int) -> str:
    """``1 seed`` / ``3 seeds``: the seed count a legend, title or caption states."""
    return f"{count} seed{'s' if count != 1 else ''}"


def damp_scale_notes(config: dict[str, Any]) -> dict[str, str]:
    """{dataset: "model, epochs, training images, seeds"} of the DAMP-side models of a validated config."""
    notes = {}
    for dataset in config["datasets"]:
        block = config["training"][dataset]
        images = (f"{config['data']['synthetic']['n_train']} generated" if dataset == "synthetic"
                  else f"{block['train_images']:,}" if block.get("train_images") else "full")
        model = block["model"] if block.get("width", 1) == 1 else f"{block['model']} x{block['width']} width"
        notes[dataset] = (f"{model}, {block['epochs']} epochs, {images} training images, "
                          f"{seeds_label(len(config['seeds']))}")
    return notes


def damp_scale_note(config: dict[str, Any]) -> str:
    """One line over every dataset: ``synthetic: small_cnn, 12 epochs, ...; cifar10: ...``."""
    return "; ".join(f"{dataset}: {note}" for dataset, note in damp_scale_notes(config).items())


def lopt_scale_note(lopt: dict[str, Any]) -> str:
    """The scale of the learned-optimizer numbers (a validated ``lopt`` block): outer-training and evaluation sizes."""
    outer, evaluation = lopt["outer"], lopt["evaluation"]
    seeds = ", ".join(f"{name} {len(spec['seeds'])}" for name, spec in lopt["experiments"].items())
    return (
        f"{lopt['dataset']}: {outer['iterations']} outer iterations, population {2 * outer['pairs']}, inner batch "
        f"{outer['batch_size']}, truncation {outer['truncation']['start']} -> {outer['truncation']['end']} steps, horizon "
        f"{outer['truncation']['horizon']} steps, "
        f"outer-training seeds ({seeds}); evaluation {evaluation['inner_steps']} inner steps on "
        f"{evaluation['test_images']} test images"
    )


def imagenet_scale_note(config: dict[str, Any], recipe: str) -> str:
    """The scale of one ImageNet recipe's numbers: model, epochs (per method where they differ), batch, image size,
    training images and the test sets configured."""
    imagenet = config["imagenet"]
    block = imagenet["recipes"][recipe]
    epochs = {method: (params or {}).get("epochs", block["epochs"]) for method, params in block["methods"].items()}
    shown = (f"{block['epochs']} epochs" if len(set(epochs.values())) == 1 and block["epochs"] in epochs.values()
             else "epochs " + ", ".join(f"{method} {count}" for method, count in epochs.items()))
    images = block.get("train_images") or "all"
    sets = ", ".join(["clean", *(["fgsm"] if imagenet["fgsm"] else []), *imagenet["test_sets"]])
    return (f"{block['model']}, {shown}, batch {block['batch_size']}, {block.get('image_size', TRAIN_SIZE)} px, "
            f"{images} training images; test sets: {sets}")
