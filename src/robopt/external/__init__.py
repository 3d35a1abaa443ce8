"""Models brought from outside the pipeline: loaded from a file, torchvision, timm or RobustBench without any
download, checked, and materialised as one self-contained file the evaluation rule reads."""
