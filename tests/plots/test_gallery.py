"""The README gallery: downscaled copies of the rendered figures and an index naming each one."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from robopt.plots.gallery import MAX_WIDTH, build_gallery, drawing_code_digest
from tests.conftest import REPO


def test_gallery_downscales_and_indexes(tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    Image.new("RGB", (2000, 1000), "white").save(figures / "damp_fig3.png")
    Image.new("RGB", (300, 200), "white").save(figures / "metz2019_fig1a.png")
    written = build_gallery(figures, tmp_path / "gallery")
    assert [p.name for p in written] == ["damp_fig3.png", "metz2019_fig1a.png"]
    with Image.open(tmp_path / "gallery" / "damp_fig3.png") as image:
        assert image.size == (MAX_WIDTH, 450)
    index = (tmp_path / "gallery" / "README.md").read_text()
    assert "![damp_fig3](damp_fig3.png)" in index and "![metz2019_fig1a](metz2019_fig1a.png)" in index


def test_gallery_without_figures_says_what_to_run(tmp_path):
    with pytest.raises(SystemExit, match="make demo"):
        build_gallery(tmp_path, tmp_path / "gallery")


def test_gallery_records_the_run_and_the_drawing_code(tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    Image.new("RGB", (30, 20), "white").save(figures / "damp_fig3.png")
    build_gallery(figures, tmp_path / "gallery")
    recorded = json.loads((tmp_path / "gallery" / "provenance.json").read_text())
    assert recorded["drawing_code_sha256"] == drawing_code_digest() and recorded["commit"] == "not recorded"


def test_digest_follows_the_drawing_code(tmp_path):
    (tmp_path / "src" / "robopt" / "plots").mkdir(parents=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "src" / "robopt" / "plots" / "style.py").write_text("COLOR = 'red'\n")
    (tmp_path / "config" / "demo.yaml").write_text("seeds: [0]\n")
    before = drawing_code_digest(tmp_path)
    (tmp_path / "src" / "robopt" / "plots" / "style.py").write_text("COLOR = 'blue'\n")
    assert drawing_code_digest(tmp_path) != before


def test_the_committed_gallery_is_as_new_as_the_code_that_draws_it():
    recorded = json.loads((REPO / "docs" / "gallery" / "provenance.json").read_text())
    assert recorded["drawing_code_sha256"] == drawing_code_digest(), (
        "the figure code or the demo config changed since docs/gallery was rendered: run `make gallery` and commit "
        "docs/gallery (and the README's demo numbers from the same run)")
