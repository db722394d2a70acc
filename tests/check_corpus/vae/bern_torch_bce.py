"""−F.binary_cross_entropy_with_logits(logits, x, reduction="sum") per image (float32)."""

import torch.nn.functional as F

TARGET = "bernoulli-log-likelihood"
PARAM = None
REDUCTION = "none"
FRAMEWORK = "torch"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(x, logits):
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
