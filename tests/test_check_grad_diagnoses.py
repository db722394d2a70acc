"""The gradient check names a biased IMPL's mistake (``rtverify.check.grad_mistakes.match``).

The wrong outputs here are built from the reference estimators of ``rtverify.estimators`` (not
from the catalog's own formulas, which would make the test a tautology): minus the pathwise
estimator must be called "wrong sign", its components swapped "swapped", its σ-component without
ε "misses the factor ε", and the score estimator times σ "forgets the 1/σ". Deterministic (fixed
noise; a diagnosis compares per-sample values at rtol 1e-9).
"""

from __future__ import annotations

import numpy as np
import pytest

from rtverify import estimators, stats, testfunctions
from rtverify.check import grad_mistakes

CONFIGS = [("sin(z)", 0.3, 1.4), ("exp(-z/2)", -0.5, 0.7), ("z^3", 1.1, 0.9)]


def _data(wrong, target):
    out = []
    eps = stats.rng("grad diagnoses").standard_normal((3, 8))
    for name, mu, s in CONFIGS:
        tf = testfunctions.get(name)
        score = target == "score-gradient"
        ref = estimators.score_samples if score else estimators.pathwise_samples
        right = ref(tf.f, tf.df, mu, s, eps.ravel()).reshape(*eps.shape, 2)
        out.append((name, mu, s, eps.shape[1], eps, wrong(right, tf, mu, s, eps)))
    return out


PATHWISE = [
    ("wrong sign", lambda r, tf, mu, s, e: -r),
    ("the two components are swapped", lambda r, tf, mu, s, e: r[..., ::-1]),
    ("misses the factor ε", lambda r, tf, mu, s, e: np.stack([r[..., 0], r[..., 0]], -1)),
]
SCORE = [
    ("wrong sign", lambda r, tf, mu, s, e: -r),
    ("forgets the 1/σ", lambda r, tf, mu, s, e: r * s),
]


@pytest.mark.parametrize(
    ("target", "words", "wrong"),
    [("pathwise-gradient", *p) for p in PATHWISE] + [("score-gradient", *p) for p in SCORE],
)
def test_a_biased_estimator_built_from_the_reference_is_named(target, words, wrong):
    named = grad_mistakes.match(target, testfunctions.get, _data(wrong, target))
    assert named is not None and words in named, named


def test_the_reference_itself_is_named_by_no_mistake():
    for target in ("pathwise-gradient", "score-gradient"):
        right = _data(lambda r, *_: r, target)
        assert grad_mistakes.match(target, testfunctions.get, right) is None
