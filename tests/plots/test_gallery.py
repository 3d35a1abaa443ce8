"""The README gallery: downscaled copies of the rendered figures and an index naming each one."""

from __future__ import annotations

import pytest
from PIL import Image

from robopt.plots.gallery import MAX_WIDTH, build_gallery


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
