"""plot_corruption_preview: one clean test image under every configured corruption and severity (PDF + PNG)."""


from robopt.corruptions import corrupt_all_severities
from robopt.data import load_meta, load_split
from robopt.logs import log_to_file
from robopt.provenance import provenance

log_to_file(snakemake.log[0])
meta = load_meta(snakemake.input.meta)
image = load_split(snakemake.input.test).images[snakemake.params.image_index : snakemake.params.image_index + 1]
corrupted = {
    name: corrupt_all_severities(image, name, meta["corruption_scale"], snakemake.params.seed)
    for name in snakemake.params.corruptions
}
from robopt.plots.preview import plot_corruption_grid  # noqa: E402 - matplotlib once the corruptions are done

plot_corruption_grid(image[0], corrupted, snakemake.output.pdf, provenance(snakemake.config))
