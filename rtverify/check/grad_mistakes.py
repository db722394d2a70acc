"""Gradient estimators as real code gets them wrong, to name a biased IMPL's mistake.

Each entry maps (f(z), f′(z), ε, μ, σ, f′) for a block of calls (ε of shape (calls, n)) to the
(calls, n, 2) per-sample output of a *deliberately wrong* estimator. The right estimators live in
:mod:`rtverify.estimators` only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["PATHWISE_MISTAKES", "SCORE_MISTAKES", "match"]

_RTOL = 1e-9  # a diagnosis only names the mistake; the verdict is the z-test's


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.stack([a, b], axis=-1)


Wrong = Callable[..., np.ndarray]

SCORE_MISTAKES: tuple[tuple[str, Wrong], ...] = (
    (
        "forgets the 1/σ of the score (off by a factor σ)",
        lambda fz, dfz, e, mu, s, df: _pair(fz * e, fz * (e * e - 1)),
    ),
    (
        "∂/∂σ is the log-prob gradient with respect to log σ, (ε² − 1), not σ: the 1/σ is missing",
        lambda fz, dfz, e, mu, s, df: _pair(fz * e / s, fz * (e * e - 1)),
    ),
    (
        "∂/∂σ is the log-prob gradient with respect to σ², (ε² − 1)/(2σ²), not σ",
        lambda fz, dfz, e, mu, s, df: _pair(fz * e / s, fz * (e * e - 1) / (2 * s * s)),
    ),
    (
        "subtracts a baseline computed from the same samples (mean of f over the call): "
        "biased by the factor 1 − 1/n",
        lambda fz, dfz, e, mu, s, df: (
            (fz - fz.mean(axis=-1, keepdims=True))[..., None] * _pair(e / s, (e * e - 1) / s)
        ),
    ),
    ("wrong sign", lambda fz, dfz, e, mu, s, df: -_pair(fz * e / s, fz * (e * e - 1) / s)),
    (
        "uses f′ where f is due",
        lambda fz, dfz, e, mu, s, df: _pair(dfz * e / s, dfz * (e * e - 1) / s),
    ),
    (
        "∂/∂σ misses the −1 of the score (ε²/σ for (ε² − 1)/σ)",
        lambda fz, dfz, e, mu, s, df: _pair(fz * e / s, fz * e * e / s),
    ),
)

PATHWISE_MISTAKES: tuple[tuple[str, Wrong], ...] = (
    (
        "∂/∂σ misses the factor ε (f′(z) where f′(z)·ε is due)",
        lambda fz, dfz, e, mu, s, df: _pair(dfz, dfz),
    ),
    (
        "∂/∂σ has an extra factor σ (f′(z)·σε)",
        lambda fz, dfz, e, mu, s, df: _pair(dfz, dfz * s * e),
    ),
    ("uses f where f′ is due", lambda fz, dfz, e, mu, s, df: _pair(fz, fz * e)),
    ("the two components are swapped", lambda fz, dfz, e, mu, s, df: _pair(dfz * e, dfz)),
    ("wrong sign", lambda fz, dfz, e, mu, s, df: -_pair(dfz, dfz * e)),
    (
        "evaluates f′ at μ + σ²ε (σ² where σ is due)",
        lambda fz, dfz, e, mu, s, df: df(mu + s * s * e)[..., None] * _pair(np.ones_like(e), e),
    ),
)


def match(target: str, test_function: Callable[[str], object], data: list[tuple]) -> str | None:
    """The mistake reproducing IMPL's per-sample output on every configuration, if any.

    ``data`` holds (f name, μ, σ, n, ε (calls, n), values (calls, n, 2), …) tuples.
    """
    mistakes = SCORE_MISTAKES if target == "score-gradient" else PATHWISE_MISTAKES
    for text, wrong in mistakes:
        if all(
            _agrees(wrong, test_function(f), mu, s, eps, values)
            for f, mu, s, _n, eps, values, *_ in data
        ):
            return text
    return None


def _agrees(
    wrong: Wrong, tf: object, mu: float, s: float, eps: np.ndarray, values: np.ndarray
) -> bool:
    z = mu + s * eps
    with np.errstate(all="ignore"):
        alt = wrong(tf.f(z), tf.df(z), eps, mu, s, tf.df)  # type: ignore[attr-defined]
    if alt.shape != values.shape or not np.isfinite(alt).all():
        return False
    return bool(np.allclose(values, alt, rtol=_RTOL, atol=1e-300))
