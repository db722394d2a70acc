"""rtverify audit: its judgements fail planted errors, pass correct samplers, and find the known
torch Beta float32 bug. Fake samplers (NumPy) stand in for a library where the point is the
judgement, not the library."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rtverify import audit, implicit
from rtverify.audit_samplers import Draw

ALPHA = 0.7


def _numpy_gamma(alpha, n, dtype, seed, *, scale=1.0, nan_at=None, shape_error=1.0):
    """Gamma(alpha · shape_error) samples rounded to ``dtype``, with the reference gradient at
    the returned samples times ``scale`` (the planted gradient error)."""
    z = np.random.default_rng(seed).gamma(alpha * shape_error, size=n)
    z = z.astype(dtype).astype(np.float64)
    g = implicit.gamma_grad(z, alpha) * scale
    if nan_at is not None:
        g[nan_at] = np.nan
    return Draw(z, {"alpha": g})


def _run(monkeypatch, dtype="float64", **planted):
    samplers = {("numpy", "gamma"): lambda *a: _numpy_gamma(*a, **planted)}
    monkeypatch.setattr("rtverify.audit_samplers.SAMPLERS", samplers)
    return audit.run_case(audit.Case("numpy", "gamma", (ALPHA,), dtype, seed=3))


def test_a_correct_sampler_with_exact_gradients_conforms(monkeypatch):
    result = _run(monkeypatch, "float32")
    assert result.verdict == "ok", result
    assert result.law_distance <= result.law_epsilon


def test_gradients_off_by_one_part_in_ten_thousand_are_inaccurate_in_float32(monkeypatch):
    assert _run(monkeypatch, "float32", scale=1 + 1e-4).verdict == "inaccurate"


def test_gradients_off_by_one_part_in_a_billion_conform_in_float32_but_not_float64(monkeypatch):
    assert _run(monkeypatch, "float32", scale=1 + 1e-9).verdict == "ok"
    assert _run(monkeypatch, "float64", scale=1 + 1e-7).verdict == "inaccurate"


def test_a_single_nan_gradient_is_reported_non_finite(monkeypatch):
    result = _run(monkeypatch, nan_at=1234)
    assert result.verdict == "NON-FINITE" and result.nonfinite == 1


def test_a_sampler_of_the_wrong_shape_fails_the_law_test(monkeypatch):
    # Kolmogorov distance Gamma(0.7) vs Gamma(0.7·1.4) ≈ 0.13 > 2ε = 0.086 at n = 4000
    result = _run(monkeypatch, shape_error=1.4)
    assert result.verdict == "LAW"


def test_the_law_test_accepts_flush_to_zero_and_rejects_extra_mass_at_zero():
    rng = np.random.default_rng(11)
    alpha = 0.01
    z = rng.gamma(alpha, size=4000).astype(np.float32)
    tiny = np.finfo(np.float32).tiny
    flushed = np.where(z < tiny, 0.0, z).astype(np.float64)

    def cdf(t):
        return implicit.special.gammainc(alpha, t)

    eps = np.sqrt(np.log(2 / audit.LAW_ALPHA) / (2 * len(z)))
    assert audit.kolmogorov_distance(flushed, cdf, "float32") <= eps
    too_many_zeros = np.where(z < 1e-10, 0.0, flushed)  # P(z < 1e-10) ≈ 0.80 vs 0.42 at tiny
    assert audit.kolmogorov_distance(too_many_zeros, cdf, "float32") > eps


def test_only_a_bounded_support_has_an_end_at_one():
    z = np.array([0.5, 1.0, 0.999, 0.0])
    assert list(audit.boundary(z, "float32", bounded=True)) == [False, True, False, True]
    assert list(audit.boundary(z, "float32", bounded=False)) == [False, False, False, True]


def test_samples_at_an_end_are_judged_for_finiteness_only():
    ref = np.array([1e-30, 1e-30, 1e-30, 0.0, 2.0])
    lib = np.array([0.0, 5e-31, np.nan, 1e-40, 3.0])
    edge = np.array([True, True, True, False, False])
    _, excess = audit.judge_gradients(lib, ref, np.zeros(5), "float32", edge)
    assert list(excess <= 1) == [True, True, False, True, False]


def test_the_audit_core_imports_neither_torch_nor_jax():
    code = (
        "import sys, rtverify.audit, rtverify.audit_samplers; "
        "print(sorted(m for m in ('torch', 'jax') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_known_torch_beta_float32_bug_is_found():
    pytest.importorskip("torch")
    result = audit.run_case(audit.Case("torch", "beta", (2.0**16 + 500, 1.5), "float32"))
    assert result.verdict == "NON-FINITE" and result.nonfinite > 0, result


def test_torch_gumbel_softmax_conforms_and_a_temperature_free_one_fails_the_law(monkeypatch):
    torch = pytest.importorskip("torch")
    case = audit.Case("torch", "gumbel-softmax", ((0.0, 1.0, -1.0), 0.5), "float64")
    assert audit.run_case(case).verdict == "ok"

    def no_temperature(logits, tau, n, dtype, seed):  # softmax(l + g): τ forgotten
        torch.manual_seed(seed)
        lg = torch.tensor(logits, dtype=torch.float64).repeat(n, 1).requires_grad_(True)
        u = torch.rand(n, len(logits), dtype=torch.float64)
        y = torch.softmax(lg - torch.log(-torch.log(u)), -1)
        y[:, 0].sum().backward()
        return Draw(y.detach().numpy(), {"logits": lg.grad.numpy()})

    monkeypatch.setitem(
        __import__("rtverify.audit_samplers").audit_samplers.SAMPLERS,
        ("torch", "gumbel-softmax"),
        no_temperature,
    )
    assert audit.run_case(case).verdict == "LAW"


def test_the_cli_prints_json_and_exits_one_on_a_failure(monkeypatch, capsys):
    pytest.importorskip("torch")
    from rtverify.cli import main

    monkeypatch.setattr(audit, "GRIDS", {**audit.GRIDS, "beta": [(2.0**16 + 500, 1.5)]})
    monkeypatch.setattr(audit, "FAMILIES", {"torch": ["beta"], "jax": []})
    monkeypatch.setattr("rtverify.audit_cli.FAMILIES", audit.FAMILIES)
    assert main(["audit", "torch", "--dtype", "float32", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert not out["ok"] and out["rows"][0]["verdict"] == "NON-FINITE"
    assert "run_case(Case('torch', 'beta'" in out["rows"][0]["failures"][0]["reproduce"]


@pytest.mark.slow
def test_jax_gamma_float64_gradients_conform():
    pytest.importorskip("jax")
    assert audit.run_case(audit.Case("jax", "gamma", (1.0,), "float64")).verdict == "ok"


@pytest.mark.slow
def test_the_one_jax_program_returns_each_family_bit_for_bit_as_compiled_alone():
    jax = pytest.importorskip("jax")
    from rtverify import audit_samplers as s

    n, dtype = 500, "float32"
    keys = jax.random.split(jax.random.key(0), n)
    cases = {
        "gamma": ((0.3,), "alpha"),
        "beta": ((0.5, 3.0), "a"),
        "dirichlet": (((0.1, 1.0, 10.0),), "alpha"),
    }
    for family, (params, name) in cases.items():
        draw = s.SAMPLERS[("jax", family)](*params, n, dtype, 0)
        args = [jax.numpy.full((n,), v, dtype) for v in params if not isinstance(v, tuple)]
        args = args or [jax.numpy.tile(jax.numpy.asarray(params[0], dtype), (n, 1))]
        z, grads, _ = jax.jit(s._jax_family(family, dtype))(keys, *args)
        assert np.array_equal(draw.z, np.asarray(z, np.float64)), family
        assert np.array_equal(draw.grads[name], np.asarray(grads[0], np.float64)), family
