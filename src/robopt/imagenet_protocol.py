"""DAMP App. F's ImageNet image sizes, in one torch-free home for the loader, the rules and the report: training
crops of 224 px, evaluation resizes the short side to 256 and centre-crops 224."""

TRAIN_SIZE = 224
EVAL_RESIZE = 256
EVAL_SIZE = 224
