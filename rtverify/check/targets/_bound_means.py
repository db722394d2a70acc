"""The mean properties of the ``elbo`` and ``iwae`` targets: calibrated tests on IMPL's estimates.

IMPL is called on a batch that begins with ``rows(k)`` rows for each configuration
q_c = N(μ_c, diag σ_c²) of ``CONFIGS`` (rows independent: fresh ε each), so its outputs
y_1..y_n for configuration c are i.i.d. draws of its estimator. Exact references
(:func:`_bound_models.exact_values`): the ELBO L_1 and log p(x).

- ``elbo`` (Bernoulli decoder): *unbiased for the exact ELBO* — a two-sided test of
  E[y] = ELBO(q_c); *mean ≤ log p(x)* — a one-sided test that fails only when ȳ is
  significantly above log p(x) (the bound is strict here: log p(x) − ELBO = KL(q_c ‖ p(z | x))
  ≥ 0.3 nats).
- ``iwae`` (linear-Gaussian): *mean ordered L_1 ≤ L_K ≤ log p(x)* — two one-sided tests of
  E[y] ≥ L_1 and E[y] ≤ log p(x), L_1 the exact ELBO (= E of the K = 1 estimate, which is the
  Monte Carlo-KL ELBO estimate).

Why a test and not a consequence of per-call agreement: agreement on the same ε bounds
|ȳ − ȳ_ref| by the rounding tolerance, but ȳ_ref is itself a sample mean, not L_K; the
ordering is a statement about expectations, so a finite sample can only support it with a
stated error rate. Each test is :func:`rtverify.check.statistics.mean_test` (Hall's
skew-corrected studentised mean, calibrated α, declining on tails too heavy for its n); a
one-sided test at α is the two-sided test at 2α read on one side. α = false_alarm / (number
of tests) each (Bonferroni over the check); a violation ≥ ``min_bias`` (reported) is detected
with probability ≥ 0.999. The quadrature error of the exact values (≤ 1e-9 nats) moves the
statistic by ≤ 1e-9·√n/s < 1e-5 standard units: negligible against its critical value.
"""

from __future__ import annotations

import numpy as np

from rtverify import gaussian
from rtverify.check import statistics
from rtverify.check.report import FAIL, NOT_JUDGED, PASS, Counterexample, PropertyResult
from rtverify.check.target import Context, reference_cache
from rtverify.check.targets._bound_models import BoundModel, exact_values

__all__ = ["CONFIGS", "ELBO_PROPERTIES", "IWAE_PROPERTY", "elbo_means", "iwae_ordering", "rows"]

#: (μ, log σ²) of the configurations tested, none the exact posterior of either model
CONFIGS = (((0.3, -0.5), (-0.7, 0.2)), ((1.0, 0.2), (-1.5, -0.3)))
ROWS = 10_000
ELBO_PROPERTIES = (
    "unbiased for the exact ELBO (Bernoulli decoder, quadrature)",
    "mean ≤ the exact log p(x) (Bernoulli decoder)",
)
IWAE_PROPERTY = "mean ordered L_1 ≤ L_K ≤ log p(x) (linear-Gaussian, exact)"


def rows(k: int | None) -> int:
    """Rows per configuration: 10 000; ⌊10⁶/K⌋ for K > 100 (at least 100): K·rows ≤ 10⁶."""
    return ROWS if k is None else max(100, min(ROWS, 1_000_000 // k))


def fixed_rows(values: np.ndarray, k: int | None) -> np.ndarray:
    """The outputs of the rows :func:`inputs` made (they come first in the call's batch)."""
    return values[: len(CONFIGS) * rows(k)]


def inputs(ctx: Context, k: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(μ, p, ε) in float64: each configuration repeated ``rows(k)`` times, ε i.i.d. N(0, 1)."""
    n = rows(k)
    mu = np.repeat([c[0] for c in CONFIGS], n, axis=0)
    lv = np.repeat([c[1] for c in CONFIGS], n, axis=0)
    shape = mu.shape if k is None else (k, *mu.shape)
    eps = ctx.rng(ctx.param, "bound means", k).standard_normal(shape)
    return mu, gaussian.param_from_logvar(lv, ctx.param), eps


@reference_cache
def _exact(model: BoundModel, mu: tuple, logvar: tuple) -> tuple[float, float]:
    return exact_values(model, np.array(mu), np.array(logvar))


def _per_config(values, args, ctx):
    """(config index, its y, its μ, its log σ² as IMPL received them) for each configuration."""
    mu, p = args[0], args[1]
    n = values.shape[0] // len(CONFIGS)
    lv = gaussian.logvar_from(p, ctx.param)
    for c in range(len(CONFIGS)):
        i = c * n
        yield c, values[i : i + n], tuple(mu[i]), tuple(np.broadcast_to(lv, mu.shape)[i])


def _start(ctx: Context, n_tests: int) -> float:
    ctx.report.n_statistical_tests += n_tests
    ctx.report.false_alarm += ctx.false_alarm
    return ctx.false_alarm / n_tests


def _where(mu, lv) -> str:
    return f"μ = ({mu[0]:.4g}, {mu[1]:.4g}), log σ² = ({lv[0]:.4g}, {lv[1]:.4g})"


def _fail(name, words, v, mu, lv, n, unit="rows") -> PropertyResult:
    cx = Counterexample(
        {"mu": mu, "logvar": lv, unit.split(" (")[0]: n},
        v.expected,
        v.estimate,
        f"z = {v.statistic:.1f}, critical {v.critical:.2f}",
    )
    return PropertyResult(
        name, FAIL, f"{words}: mean {v.estimate:.5g} vs {v.expected:.5g} at {_where(mu, lv)}", cx
    )


def _judge(name, tests, alpha, ctx, unit="rows") -> PropertyResult:
    """``tests``: (verdict, side, words, μ, log σ²) — side +1 fails only above, −1 only below,
    0 both. The first significant violation fails; else a declined test makes it not judged."""
    declined, powers = None, []
    for v, side, words, mu, lv in tests:
        if not v.judged:
            declined = declined or (v, mu, lv)
            continue
        powers.append(v.min_bias)
        if not v.passed and (side == 0 or side * v.statistic > 0):
            return _fail(name, words, v, mu, lv, v.n, unit)
    if declined is not None:
        v, mu, lv = declined
        return PropertyResult(name, NOT_JUDGED, f"not judged at {_where(mu, lv)}: {v.reason}")
    n = tests[0][0].n
    ctx.note(
        f"{name}: power — a violation ≥ {max(powers):.3g} nats is detected with probability "
        f"≥ 0.999 ({n} {unit} per configuration, {len(CONFIGS)} configurations, α = {alpha:.1e} "
        "per test)"
    )
    return PropertyResult(name, PASS)


def elbo_means(values, args, model: BoundModel, ctx: Context, unit="rows") -> list[PropertyResult]:
    """The two ``ELBO_PROPERTIES`` from IMPL's outputs ``values`` on ``args`` (float64): one
    value per row, or (``--reduction``) per call of rows of one configuration, the mean of
    their estimates (``unit`` says which, for the power note)."""
    alpha = _start(ctx, 2 * len(CONFIGS))
    unbiased, below = [], []
    for _c, y, mu, lv in _per_config(values, args, ctx):
        elbo, log_px = _exact(model, mu, lv)
        v = statistics.mean_test(y, elbo, alpha)
        unbiased.append((v, 0, "biased for the exact ELBO", mu, lv))
        v = statistics.mean_test(y, log_px, 2 * alpha)
        below.append((v, +1, "above log p(x)", mu, lv))
    return [
        _judge(ELBO_PROPERTIES[0], unbiased, alpha, ctx, unit),
        _judge(ELBO_PROPERTIES[1], below, alpha, ctx, unit),
    ]


def iwae_ordering(values, args, model: BoundModel, ctx: Context) -> PropertyResult:
    """``IWAE_PROPERTY`` from IMPL's IWAE_K outputs ``values`` on ``args`` (float64)."""
    alpha = _start(ctx, 2 * len(CONFIGS))
    tests = []
    for _c, y, mu, lv in _per_config(values, args, ctx):
        elbo, log_px = _exact(model, mu, lv)
        tests.append((statistics.mean_test(y, elbo, 2 * alpha), -1, "below L_1 = ELBO", mu, lv))
        tests.append((statistics.mean_test(y, log_px, 2 * alpha), +1, "above log p(x)", mu, lv))
    return _judge(IWAE_PROPERTY, tests, alpha, ctx)
