"""External models: every file form evaluates like the pipeline's own model, normalisation conventions, and a
one-line error for every bad input."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
import torch
from torch import nn

from robopt.corruptions.sets import CorruptedSet
from robopt.evaluate import evaluate_model
from robopt.external.materialise import materialise
from robopt.external.sources import ExternalModelError
from robopt.models import build_model, load_trained, save_trained

META = {"num_classes": 10, "mean": [0.5, 0.4, 0.3], "std": [0.25, 0.2, 0.3], "splits": {"test": {"shape": [40, 32, 32, 3]}}}


def trained_like(name: str = "resnet8") -> nn.Module:
    """A registry model with non-trivial BatchNorm statistics (as after training)."""
    torch.manual_seed(0)
    model = build_model(name, 10)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    return model.eval()


def test_data():
    generator = torch.Generator().manual_seed(1)
    images = torch.randint(0, 256, (40, 32, 32, 3), dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, 10, (40,), generator=generator)
    corrupted = [CorruptedSet("fog", torch.randint(0, 256, (5, 40, 32, 32, 3), dtype=torch.uint8,
                                                   generator=generator), labels)]
    return images, labels, corrupted


def metrics_of(path) -> pd.DataFrame:
    checkpoint, model = load_trained(path)
    images, labels, corrupted = test_data()
    return evaluate_model(model, images, labels, corrupted, checkpoint["mean"], checkpoint["std"], 16)


def entry(source: str, **extra) -> dict:
    return {"dataset": "cifar10", "source": source, "normalize": "dataset", "model_dir": "models", **extra}


@pytest.fixture
def reference(tmp_path):
    model = trained_like()
    save_trained(model, "resnet8", 10, META["mean"], META["std"], tmp_path / "model.pt")
    return model, metrics_of(tmp_path / "model.pt")


@pytest.mark.parametrize("form", ["model.pt", "state_dict", "wrapped_state_dict", "net_wrapped_ddp", "torchscript",
                                  "exported"])
def test_every_file_form_gives_the_metrics_of_the_pipelines_own_evaluation(form, reference, tmp_path):
    model, expected = reference
    if form == "model.pt":
        source, extra = f"file:{tmp_path / 'model.pt'}", {}
    elif form.endswith("state_dict") or form == "net_wrapped_ddp":
        state = model.state_dict()
        if form == "wrapped_state_dict":  # a training checkpoint: {'state_dict': ..., 'epoch': ..., 'optimizer': ...}
            state = {"state_dict": state, "epoch": 200, "optimizer": {"lr": torch.tensor(0.1)}}
        elif form == "net_wrapped_ddp":  # saved from DistributedDataParallel: every key under 'module.'
            state = {"net": {f"module.{key}": value for key, value in state.items()}, "acc": 95.0}
        torch.save(state, tmp_path / "weights.pt")
        source, extra = f"file:{tmp_path / 'weights.pt'}", {"arch": "resnet8"}
    elif form == "exported":  # a user's own exported program (.pt2), its normalisation given in the entry
        program = torch.export.export(model.eval(), (torch.zeros(2, 3, 32, 32),),
                                      dynamic_shapes=({0: torch.export.Dim("batch", min=1)},))
        torch.export.save(program, str(tmp_path / "mine.pt2"))
        source, extra = f"file:{tmp_path / 'mine.pt2'}", {}
    else:
        torch.jit.save(torch.jit.script(model), str(tmp_path / "scripted.pt"))
        source, extra = f"file:{tmp_path / 'scripted.pt'}", {}
    materialise(entry(source, mean=META["mean"], std=META["std"], **extra), "mine", META, tmp_path / "ext.pt")
    got = metrics_of(tmp_path / "ext.pt")
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-5)
    assert load_trained(tmp_path / "ext.pt")[0]["model"] == "external:mine"


class NormalisesInside(nn.Module):
    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.register_buffer("mean", torch.tensor(META["mean"]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(META["std"]).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner((x - self.mean) / self.std)


def test_a_model_that_normalises_inside_gives_the_same_logits(reference, tmp_path):
    model, expected = reference
    torch.jit.save(torch.jit.script(NormalisesInside(model)), str(tmp_path / "inside.pt"))
    materialise(entry(f"file:{tmp_path / 'inside.pt'}", normalize="inside"), "inside", META,
                tmp_path / "ext.pt")
    checkpoint, _ = load_trained(tmp_path / "ext.pt")
    assert checkpoint["mean"] == [0.0] * 3 and checkpoint["std"] == [1.0] * 3
    pd.testing.assert_frame_equal(metrics_of(tmp_path / "ext.pt"), expected, check_exact=False, rtol=1e-4)


@pytest.mark.parametrize("library", ["torchvision:resnet18", "timm:resnet10t"])
def test_library_architectures_load_local_weights(library, tmp_path):
    from robopt.external.sources import build_architecture

    torch.manual_seed(0)
    model = build_architecture(library, 10, "test")
    torch.save(model.state_dict(), tmp_path / "w.pt")
    materialise(entry(library, weights=str(tmp_path / "w.pt")), "lib", META, tmp_path / "ext.pt")
    _, loaded = load_trained(tmp_path / "ext.pt")
    x = torch.rand(2, 3, 32, 32)
    mean, std = (torch.tensor(META[k]).view(1, 3, 1, 1) for k in ("mean", "std"))  # inside the exported program
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model.eval()((x - mean) / std))


def test_a_materialised_model_is_an_exported_program_with_the_normalisation_inside(reference, tmp_path):
    """Same logits as the model on normalised inputs, any batch size, and no deprecation warning on the way."""
    from robopt.models.exported import is_exported_program

    model, _ = reference
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        materialise(entry(f"file:{tmp_path / 'weights.pt'}", arch="resnet8", mean=META["mean"], std=META["std"]),
                    "mine", META, tmp_path / "ext.pt")
        description, loaded = load_trained(tmp_path / "ext.pt")
    assert is_exported_program(tmp_path / "ext.pt")
    assert description["mean"] == [0.0] * 3 and description["input_normalisation"]["mean"] == META["mean"]
    x = torch.rand(5, 3, 32, 32)
    mean, std = (torch.tensor(META[k]).view(1, 3, 1, 1) for k in ("mean", "std"))
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model.eval()((x - mean) / std), rtol=0, atol=1e-5)


def test_a_torchscript_source_is_read_and_kept_without_deprecation_warnings(reference, tmp_path):
    model, _ = reference
    torch.jit.save(torch.jit.script(model), str(tmp_path / "scripted.pt"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        materialise(entry(f"file:{tmp_path / 'scripted.pt'}", mean=META["mean"], std=META["std"]), "ts", META,
                    tmp_path / "ext.pt")
        load_trained(tmp_path / "ext.pt")


class Branches(nn.Module):
    """Data-dependent control flow: what torch.export cannot capture."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(3 * 32 * 32, 10)

    def forward(self, x):
        return self.head(x.flatten(1)) if x.mean() > 0 else -self.head(x.flatten(1))


def test_a_model_export_cannot_capture_is_named_with_the_other_format(tmp_path, monkeypatch):
    monkeypatch.setattr("robopt.external.materialise.build_external", lambda *args: (Branches(), {}))
    with pytest.raises(ExternalModelError, match=r"external_models\.branchy: torch\.export cannot capture this model.*"
                                                 r"TorchScript"):
        materialise(entry("file:x.pt", normalize="inside"), "branchy", META, tmp_path / "ext.pt")
    assert not (tmp_path / "ext.pt").exists()


class Evil:
    """A pickle that would run a shell command when loaded."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


def test_a_pickle_that_holds_more_than_tensors_is_refused_for_safety_and_never_run(tmp_path):
    marker = tmp_path / "it_ran"
    torch.save({"state_dict": {"w": torch.zeros(1)}, "payload": Evil(str(marker))}, tmp_path / "evil.pt")
    with pytest.raises(ExternalModelError, match=r"external_models\.evil: refused to load .*evil\.pt for safety") as err:
        materialise(entry(f"file:{tmp_path / 'evil.pt'}", arch="resnet8"), "evil", META, tmp_path / "ext.pt")
    assert "re-save" in str(err.value) and "exported program" in str(err.value) and "\n" not in str(err.value)
    assert not marker.exists()


class Only64(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(3 * 64 * 64, 10)

    def forward(self, x):
        return self.head(x.flatten(1))


@pytest.mark.parametrize(("case", "message"), [
    ("missing weights", r"external_models\.bad\.weights: .*w\.pt does not exist"),
    ("unknown architecture", r"external_models\.bad: timm has no architecture 'no_such_net'"),
    ("state_dict does not fit", r"external_models\.bad: the weights in .*small\.pt do not fit the architecture"),
    ("input size", r"external_models\.bad: the model cannot take 32x32 images"),
    ("bad source", r"external_models\.bad\.source = 'hub:x': expected one of file:<\.\.\.>"),
    ("bare state_dict without arch", r"external_models\.bad\.arch is needed"),
    ("robustbench checkpoint absent", r"RobustBench's checkpoint .*Standard\.pt does not exist"),
])
def test_bad_inputs_give_one_line_errors_naming_model_key_and_file(case, message, tmp_path):
    torch.save(build_model("small_cnn", 10).state_dict(), tmp_path / "small.pt")
    torch.jit.save(torch.jit.script(Only64()), str(tmp_path / "only64.pt"))
    entries = {
        "missing weights": entry("torchvision:resnet18", weights=str(tmp_path / "w.pt")),
        "unknown architecture": entry("timm:no_such_net", weights=str(tmp_path / "small.pt")),
        "state_dict does not fit": entry(f"file:{tmp_path / 'small.pt'}", arch="resnet8"),
        "input size": entry(f"file:{tmp_path / 'only64.pt'}"),
        "bad source": entry("hub:x"),
        "bare state_dict without arch": entry(f"file:{tmp_path / 'small.pt'}"),
        "robustbench checkpoint absent": entry("robustbench:Standard", model_dir=str(tmp_path / "models")),
    }
    with pytest.raises(ExternalModelError, match=message) as error:
        materialise(entries[case], "bad", META, tmp_path / "ext.pt")
    assert "\n" not in str(error.value) and not (tmp_path / "ext.pt").exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"dataset": "cifar10"}, r"external_models\.x\.dataset = cifar10 is not in datasets"),
    ({"source": "torchvision:resnet18"}, r"external_models\.x\.weights is needed"),
    ({"dataset": "imagenet"}, r"external_models\.x\.dataset = imagenet needs imagenet\.root .* imagenet\.test_sets\.imagenet_c"),
    ({"protocol": "robustbench"}, r"external_models\.x\.protocol = robustbench applies to imagenet only"),
])
def test_config_errors_name_the_model_and_key_before_any_job(change, message):
    from robopt.config import check_config
    from robopt.errors import ConfigError
    from tests.conftest import raw_config, validated

    config = raw_config()
    config["external_models"] = {"x": {"dataset": "synthetic", "source": "file:m.pt", **change}}
    with pytest.raises(ConfigError, match=message):
        check_config(validated(config))


def test_external_variants_are_evaluated_never_trained():
    from robopt.variants import model_labels, trained_variants, variants
    from tests.conftest import raw_config, validated

    config = raw_config()
    config["external_models"] = {"x": {"dataset": "synthetic", "source": "file:m.pt"}}
    config = validated(config)
    assert variants(config, "synthetic")["external_x"].method == "external"
    assert "external_x" not in {v.id for v in trained_variants(config, "synthetic")}
    assert model_labels(config, "synthetic", variants(config, "synthetic")["external_x"])["label_noise"] == "none"


def test_a_robustbench_checkpoint_in_its_model_folder_loads_through_robustbench(tmp_path):
    """RobustBench's own load_model on a checkpoint already in place (random weights of its Standard WRN-28-10):
    the materialised model gives that model's logits."""
    pytest.importorskip("robustbench.utils", reason="the optional robustbench extra is not installed")
    from robustbench.model_zoo.cifar10 import cifar_10_models
    from robustbench.model_zoo.enums import ThreatModel

    torch.manual_seed(0)
    model = cifar_10_models[ThreatModel.corruptions]["Standard"]["model"]().eval()
    folder = tmp_path / "models" / "cifar10" / "corruptions"
    folder.mkdir(parents=True)
    torch.save({"state_dict": model.state_dict()}, folder / "Standard.pt")
    materialise(entry("robustbench:Standard", model_dir=str(tmp_path / "models"), normalize="inside"), "std", META,
                tmp_path / "ext.pt")
    description, loaded = load_trained(tmp_path / "ext.pt")
    x = torch.rand(4, 3, 32, 32)
    assert description["mean"] == [0.0, 0.0, 0.0]
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x))
