"""The framework adapters: the same call gives the same values and gradients in every framework."""

from __future__ import annotations

import numpy as np
import pytest

from rtverify.check.calls import Call, Fn, Noise
from rtverify.check.sandbox import Sandbox

IMPLS = "tests/check_impls/adapters.py"
W = np.array([[1.0, 2.0], [0.5, -1.0], [0.0, 1.0]])
X = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
MODEL = Fn(
    "-0.5 * sum_last(square(x - matvec(W, z))) + log_sigmoid(sum_last(z))", (("x", X), ("W", W))
)


def _exact(mu, lv, eps):
    z = mu + np.exp(lv / 2) * eps
    r = X - z @ W.T
    s = z.sum(-1)
    value = -0.5 * np.sum(r * r, -1) - np.logaddexp(0.0, -s)
    dz = r @ W + (1.0 / (1.0 + np.exp(s)))[:, None]  # ∂value/∂z
    return value, dz, dz * 0.5 * (z - mu)


@pytest.mark.parametrize("framework", ["numpy", "torch", "jax"])
def test_a_model_function_evaluates_and_differentiates_alike_in_every_framework(framework):
    if framework != "numpy":
        pytest.importorskip(framework)
    gen = np.random.default_rng(0)
    mu, lv, eps = gen.normal(size=(3, 2, 2))
    grad = () if framework == "numpy" else (1, 2)
    call = Call((MODEL, mu, lv, eps), grad=grad, cotangent=np.ones(2) if grad else None)
    with Sandbox(f"{IMPLS}:apply_model", framework=framework, dtype="float64") as box:
        box.start()
        res = box.call(call)
    value, dmu, dlv = _exact(mu, lv, eps)
    assert res.error is None and res.dtype == "float64", res.error
    np.testing.assert_allclose(res.value, value, rtol=1e-12)
    if grad:
        np.testing.assert_allclose(res.grads[0], dmu, rtol=1e-12)
        np.testing.assert_allclose(res.grads[1], dlv, rtol=1e-12)


@pytest.mark.parametrize("framework", ["numpy", "torch", "jax"])
def test_the_seeded_noise_goes_where_each_framework_puts_it_and_repeats(framework):
    if framework != "numpy":
        pytest.importorskip(framework)
    mu = np.zeros((3, 4), dtype=np.float32)
    with Sandbox(f"{IMPLS}:noise_{framework}", framework=framework, dtype="float32") as box:
        box.start()
        a, b, c = box.run([Call((mu, Noise(1))), Call((mu, Noise(1))), Call((mu, Noise(2)))])
    assert a.error is None, a.error
    assert np.array_equal(a.value, b.value) and not np.array_equal(a.value, c.value)


def _estimator_calls(n):
    mu, lv = np.full((2, 3), 0.5, np.float32), np.zeros((2, 3), np.float32)
    return [Call((Fn("sin(z)"), mu, lv, Noise(s)), grad=(1, 2)) for s in range(n)]


def test_jax_calls_drawing_from_a_key_run_compiled_traced_once_not_once_per_call():
    pytest.importorskip("jax")
    with Sandbox(f"{IMPLS}:traced_jax", framework="jax", dtype="float32") as box:
        box.start()
        results = box.run(_estimator_calls(20))
    assert all(r.error is None for r in results), results[0].error
    # IMPL returns how often its Python ran: 1 for every call when traced once (jax.jit);
    # eagerly it would be 1, 2, …, 20
    assert [float(r.value) for r in results] == [1.0] * 20


def test_untraceable_jax_code_runs_eagerly_as_written():
    pytest.importorskip("jax")
    mu = np.zeros((3, 4), dtype=np.float32)
    with Sandbox(f"{IMPLS}:roundtrip_jax", framework="jax", dtype="float32") as box:
        box.start()
        a, b, c = box.run([Call((mu, Noise(1))), Call((mu, Noise(1))), Call((mu, Noise(2)))])
    assert a.error is None, a.error
    assert np.array_equal(a.value, b.value) and not np.array_equal(a.value, c.value)
