"""The targets of ``rtverify check`` and the options each accepts.

=====================  ==========================================  ==========================
target                 IMPL signature                              reference
=====================  ==========================================  ==========================
``gaussian-kl``        ``IMPL(mu, p) -> (batch,)`` or scalar        ``kl_standard_normal``
``reparam-sample``     ``IMPL(mu, p, eps) -> (batch, D)``           ``sample_diag``
``score-gradient``     ``IMPL(f, df, mu, sigma, eps) -> (n, 2)``    ``score_samples``
``pathwise-gradient``  ``IMPL(f, df, mu, sigma, eps) -> (n, 2)``    ``pathwise_samples``
=====================  ==========================================  ==========================

(the first two in :mod:`rtverify.gaussian`, the last two in :mod:`rtverify.estimators`)
"""

from __future__ import annotations

__all__ = ["PARAMS", "REDUCTIONS", "TARGETS", "validate_options"]

TARGETS: tuple[str, ...] = ("gaussian-kl", "reparam-sample", "score-gradient", "pathwise-gradient")
PARAMS: tuple[str, ...] = ("logvar", "log_std", "std", "var")
REDUCTIONS: tuple[str, ...] = ("none", "sum", "mean")


def validate_options(target: str, param: str | None, reduction: str | None, seed: object) -> None:
    """Raise ``ValueError`` with one line saying what to fix when an option is not allowed."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    if param is not None and param not in PARAMS:
        raise ValueError(f"unknown --param {param!r}; choose one of {', '.join(PARAMS)}")
    if reduction is not None and reduction not in REDUCTIONS:
        raise ValueError(
            f"unknown --reduction {reduction!r}; choose one of {', '.join(REDUCTIONS)}"
        )
    if param not in (None, "logvar") and target not in ("gaussian-kl", "reparam-sample"):
        raise ValueError(
            f"--param applies to gaussian-kl and reparam-sample, not {target} "
            "(its IMPL receives sigma itself)"
        )
    if reduction not in (None, "none") and target != "gaussian-kl":
        raise ValueError(f"--reduction applies to gaussian-kl only, not {target}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"--seed must be a non-negative integer, not {seed!r}")
