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


def _run_jax(impl, *batches):
    """Each batch of calls in one JAX worker of IMPL; every call must run."""
    pytest.importorskip("jax")
    with Sandbox(f"{IMPLS}:{impl}", framework="jax", dtype="float32") as box:
        box.start()
        runs = [box.run(calls) for calls in batches]
    for results in runs:
        assert all(r.error is None for r in results), results[0].error
    return runs


def test_jax_calls_drawing_from_a_key_run_compiled_traced_once_not_once_per_call():
    (results,) = _run_jax("traced_jax", _estimator_calls(20))
    # IMPL prints at each run of its Python: at the first call only when compiled (jax.jit;
    # its two purity traces and the compiling one); eagerly it would print at every call
    assert results[0].n_printed > 0 and [r.n_printed for r in results[1:]] == [0] * 19


def test_jax_code_keeping_state_while_traced_runs_eagerly_not_frozen_by_jit():
    (results,) = _run_jax("counting_jax", _estimator_calls(5))
    # IMPL returns the number of its Python runs: rising at every call, as written (a frozen
    # jax.jit program would return one number for all)
    values = [float(r.value) for r in results]
    assert values == sorted(set(values)), values


def _per_sample_calls(n, many=True):
    eps = np.random.default_rng(0).standard_normal((n, 7)).astype(np.float32)
    return [Call((Fn("sin(z)"), Fn("cos(z)"), 0.5, 1.5, row), many=many) for row in eps]


def test_many_jax_calls_of_one_layout_run_compiled_and_alike_eager_ones():
    compiled, eager = _run_jax(
        "per_sample_jax", _per_sample_calls(10), _per_sample_calls(10, many=False)
    )
    assert [r.n_printed > 0 for r in compiled] == [True] + [False] * 9
    assert all(r.n_printed > 0 for r in eager)
    for c, e in zip(compiled, eager, strict=True):
        np.testing.assert_allclose(c.value, e.value, rtol=1e-6, atol=1e-7)


def test_many_jax_calls_drawing_host_randomness_run_eagerly_each_draw_its_own():
    ((a, b),) = _run_jax("host_random_jax", _per_sample_calls(1) * 2)
    assert not np.array_equal(a.value[:, 1], b.value[:, 1])  # jax.jit would freeze one draw


def test_untraceable_jax_code_runs_eagerly_as_written():
    pytest.importorskip("jax")
    mu = np.zeros((3, 4), dtype=np.float32)
    with Sandbox(f"{IMPLS}:roundtrip_jax", framework="jax", dtype="float32") as box:
        box.start()
        a, b, c = box.run([Call((mu, Noise(1))), Call((mu, Noise(1))), Call((mu, Noise(2)))])
    assert a.error is None, a.error
    assert np.array_equal(a.value, b.value) and not np.array_equal(a.value, c.value)
