"""Summed with keepdim=True, then averaged over the batch: a (1,)-shaped mean, judged by value."""

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "mean"
EXPECT = None  # conforms (a note about the shape)


def impl(mu, logvar):
    per_example = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=-1, keepdim=True)
    return per_example.mean(dim=0)
