"""Names of the metrics a training history logs beyond loss and accuracy: one home for the training loop that writes
them and for the tables and figures that read them (which start without torch)."""

#: Mean weight a reweighting method gave to clean and to biased (noisy-label or corrupted-copy) examples in an epoch.
WEIGHT_CLEAN = "weight_clean"
WEIGHT_BIASED = "weight_biased"
#: Prefix of Meta-Weight-Net's weighting function V at a loss on its grid: ``weight_at_loss_<loss>``.
WEIGHT_AT_LOSS = "weight_at_loss_"
