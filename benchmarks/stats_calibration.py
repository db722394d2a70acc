"""Calibration and power of the tests in :mod:`rtverify.stats` (issue 9's evidence).

Three tables:

1. **Mean test under heavy tails** — rejection rate of :func:`rtverify.stats.robust_mean_test`
   (and of Hall's statistic alone, the older ``skew_corrected_mean_test``) on correct i.i.d.
   samples of known mean, at α = 1e-2 … 1e-5, and how often it declines ("not judged").
2. **Paired design, false alarms** — correct estimators (textbook, baseline, antithetic and
   heavy-tailed ones) judged against the textbook estimator on the same ε by
   :func:`rtverify.stats.paired_test`: per-test rejection rate at α = 1e-2, 1e-3 and the number
   of whole checks failing at the stated family rate 1e-6.
3. **Paired design, power** — detection rate of biased estimators (scaled: IMPL = (1 + r)·est,
   additive: IMPL = est + r·|gradient|) at r = 1 %, 2 %, 5 %, 10 %, at the stated rate 1e-6.

One "check" = the configurations (f, μ, σ) of ``rtverify check``'s gradient targets × 2
components, each a paired test at α = 1e-6 / (number of tests), on CALLS calls of N_PER_CALL
samples (3 × 10⁴ ε values per check). Seeds explicit (``rtverify.stats.rng``): runs repeat.

Usage: ``python benchmarks/stats_calibration.py [--quick] [--only mean,false,power]``
(here, on 2 cores shared with other jobs: ``--quick`` 2 min, the full run 38 min).

Reading the tables: rates are rejections / (seeds × α); 1.00 is exactly at the level, and a
count of a few rejections is noisy (at α = 1e-5 with 40 000 seeds, 0.4 are due). "Not judged"
is the honest answer for the heavy-tailed laws (importance weights with c = 0.6 have infinite
variance: E_q[w²] < ∞ iff c² > 1/2; their tail index is 1/(1 − c²) ≈ 1.56).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from rtverify import estimators, stats
from rtverify import testfunctions as T

CASES = (("exp(-z^2/2)", 1.2, 2.0), ("sin(z)", 0.8, 1.5), ("cos(z)", -0.5, 0.6))
CALLS, N_PER_CALL = 1000, 10
FAMILY_ALPHA = 1e-6
LEVELS = (1e-2, 1e-3)
TAIL_LEVELS = (1e-2, 1e-3, 1e-4, 1e-5)
CHUNK = 2000
BIASES = (0.01, 0.02, 0.05, 0.10)
N_TESTS = 2 * len(CASES)


# --- 1. i.i.d. laws with known mean -------------------------------------------------------------
def _is_weights(gen, shape, c):
    """w = N(x; 0, 1)/N(x; 0, c²) for x ∼ N(0, c²): E w = 1; Var w < ∞ iff c > 1/√2."""
    x = c * gen.standard_normal(shape)
    return c * np.exp(x * x * (1 / c**2 - 1) / 2)


LAWS = {
    "normal": (lambda g, s: g.standard_normal(s), 0.0),
    "exponential": (lambda g, s: g.exponential(1.0, s), 1.0),
    "chi2(1)": (lambda g, s: g.standard_normal(s) ** 2, 1.0),
    "student t(5)": (lambda g, s: g.standard_t(5, s), 0.0),
    "student t(3)": (lambda g, s: g.standard_t(3, s), 0.0),
    "lognormal(0,1)": (lambda g, s: np.exp(g.standard_normal(s)), math.exp(0.5)),
    "IS weights c=0.6 (Var inf)": (lambda g, s: _is_weights(g, s, 0.6), 1.0),
    "IS weights c²=0.6 (Var fin)": (lambda g, s: _is_weights(g, s, math.sqrt(0.6)), 1.0),
}


def mean_table(reps: dict[int, int]) -> None:
    """Vectorised over seeds with :func:`rtverify.stats.robust_decisions` (the rule of
    ``robust_mean_test``); "Hall" is the same statistic against z_{α/2} with no tail gate and no
    margin (``skew_corrected_mean_test``, the test ``rtverify check`` used before)."""
    print("\n## 1. Mean test on correct samples: rejection rate / α (robust | Hall alone)\n")
    print(
        "| law | n | seeds | "
        + " | ".join(f"α = {a:g}" for a in TAIL_LEVELS)
        + " | not judged (α = 1e-3) |"
    )
    print("|---|---|---|" + "---|" * (len(TAIL_LEVELS) + 1))
    for name, (draw, mean) in LAWS.items():
        for n, seeds in reps.items():
            gen = stats.rng("stats-calibration", "mean", name, n)
            rob = {a: 0 for a in TAIL_LEVELS}
            hall = {a: 0 for a in TAIL_LEVELS}
            declined = 0
            for start in range(0, seeds, CHUNK):
                data = draw(gen, (min(CHUNK, seeds - start), n))
                r = stats.robust_decisions(data, mean, TAIL_LEVELS)
                plain = np.abs(stats.hall_statistic(data, mean)[0])
                for i, a in enumerate(TAIL_LEVELS):
                    rob[a] += int(r["failed"][i].sum())
                    hall[a] += int((plain > stats.z_critical(a)).sum())
                declined += int(r["declined"][TAIL_LEVELS.index(1e-3)].sum())
            cells = " | ".join(
                f"{rob[a] / seeds / a:.2f} \\| {hall[a] / seeds / a:.2f}" for a in TAIL_LEVELS
            )
            print(f"| {name} | {n} | {seeds} | {cells} | {declined / seeds:.1%} |", flush=True)


# --- 2./3. estimators on the same ε ------------------------------------------------------------
def _reference(target, tf, mu, sigma, eps):
    fn = estimators.score_samples if target == "score" else estimators.pathwise_samples
    return fn(tf.f, tf.df, mu, sigma, eps.ravel()).reshape(*eps.shape, 2)


def _baseline(target, tf, mu, sigma, eps, gen):
    """Score: (f(z) − b)·(ε/σ, (ε² − 1)/σ) with b = E f; pathwise: f'(z)·(1, ε) − c·(ε, ε² − 1)
    with c = 0.1 (a zero-mean control variate). Both unbiased."""
    ref = _reference(target, tf, mu, sigma, eps)
    if target == "score":
        b = tf.mean(mu, sigma)
        return ref - b * np.stack([eps / sigma, (eps**2 - 1) / sigma], axis=-1)
    return ref - 0.1 * np.stack([eps, eps**2 - 1], axis=-1)


def _antithetic(target, tf, mu, sigma, eps, gen):
    """½(g(ε) + g(−ε)) per sample: unbiased."""
    return 0.5 * (_reference(target, tf, mu, sigma, eps) + _reference(target, tf, mu, sigma, -eps))


def _lognormal_noise(target, tf, mu, sigma, eps, gen):
    """Textbook + (e^Y − e^{1/2}), Y ∼ N(0, 1) drawn by IMPL: unbiased, heavy right tail."""
    noise = np.exp(gen.standard_normal((*eps.shape, 2))) - math.exp(0.5)
    return _reference(target, tf, mu, sigma, eps) + noise


def _importance(c):
    def impl(target, tf, mu, sigma, eps, gen):
        """The estimator on z' = μ + cσε, weighted by w = N(z'; μ, σ²)/N(z'; μ, (cσ)²)."""
        e = c * eps  # the standardized z' (z' = μ + σ e)
        w = c * np.exp(e * e * (1 / c**2 - 1) / 2)
        return _reference(target, tf, mu, sigma, e) * w[..., None]

    impl.__doc__ = f"importance sampling from a proposal of scale c = {c:g}"
    return impl


CORRECT = {
    "textbook": lambda target, tf, mu, sigma, eps, gen: _reference(target, tf, mu, sigma, eps),
    "baseline / control variate": _baseline,
    "antithetic": _antithetic,
    "textbook + lognormal noise": _lognormal_noise,
    "IS, proposal scale c²=0.6": _importance(math.sqrt(0.6)),
    "IS, proposal scale c=0.6": _importance(0.6),
}


def _check(target, impl, seed, alphas, *, bias=None):
    """One check: each (case, component) a paired test; returns {α: (fails, declines)}."""
    out = {a: [0, 0] for a in alphas}
    for name, mu, sigma in CASES:
        tf = T.get(name)
        gen = stats.rng("stats-calibration", target, seed, name)
        eps = gen.standard_normal((CALLS, N_PER_CALL))
        ref = _reference(target, tf, mu, sigma, eps)
        got = impl(target, tf, mu, sigma, eps, gen)
        grad = tf.grad(mu, sigma)
        for k in range(2):
            value = got[..., k]
            if bias is not None:
                kind, r = bias
                value = value * (1 + r) if kind == "scaled" else value + r * abs(grad[k])
            for a in alphas:
                v = stats.paired_test(value, ref[..., k], alpha=a, scale=abs(grad[k]))
                out[a][0] += v.failed
                out[a][1] += v.not_judged
    return out


def false_alarm_table(seeds: int) -> None:
    alpha_test = FAMILY_ALPHA / N_TESTS
    alphas = (*LEVELS, alpha_test)
    print(f"\n## 2. Paired design: false alarms of correct estimators ({seeds} seeds)\n")
    print(
        f"Per test rate / α at α = 1e-2 and 1e-3; at the stated rate (family {FAMILY_ALPHA:g},"
        f" {N_TESTS} tests at {alpha_test:.2g}) the number of failing checks.\n"
    )
    print(
        "| target | estimator | rej/α at 1e-2 | rej/α at 1e-3 | failing checks at 1e-6 "
        "| tests not judged |"
    )
    print("|---|---|---|---|---|---|")
    for target in ("score", "pathwise"):
        for label, impl in CORRECT.items():
            tot = {a: [0, 0] for a in alphas}
            checks_failed = 0
            for seed in range(seeds):
                res = _check(target, impl, seed, alphas)
                for a in alphas:
                    tot[a][0] += res[a][0]
                    tot[a][1] += res[a][1]
                checks_failed += res[alpha_test][0] > 0
            tests = seeds * N_TESTS
            print(
                f"| {target} | {label} | {tot[1e-2][0] / tests / 1e-2:.2f} | "
                f"{tot[1e-3][0] / tests / 1e-3:.2f} | {checks_failed} of {seeds} | "
                f"{tot[alpha_test][1] / tests:.1%} |"
            )


def power_table(seeds: int) -> None:
    alpha_test = FAMILY_ALPHA / N_TESTS
    print(
        f"\n## 3. Paired design: detection rate of biased estimators ({seeds} seeds; a check "
        f"detects when any of its {N_TESTS} tests fails at α = {alpha_test:.2g})\n"
    )
    print("| target | estimator | bias | " + " | ".join(f"{r:.0%}" for r in BIASES) + " |")
    print("|---|---|---|" + "---|" * len(BIASES))
    for target in ("score", "pathwise"):
        for label in ("textbook", "baseline / control variate", "antithetic"):
            for kind in ("scaled", "additive"):
                rates = []
                for r in BIASES:
                    hit = sum(
                        _check(target, CORRECT[label], 10_000 + s, (alpha_test,), bias=(kind, r))[
                            alpha_test
                        ][0]
                        > 0
                        for s in range(seeds)
                    )
                    rates.append(f"{hit / seeds:.2f}")
                print(f"| {target} | {label} | {kind} | " + " | ".join(rates) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds (a minute or two)")
    parser.add_argument("--only", default="mean,false,power")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if args.quick:
        seeds_mean, seeds_false, seeds_power = {400: 4000, 1000: 2000}, 200, 30
    else:
        seeds_mean, seeds_false, seeds_power = {400: 40_000, 1000: 10_000}, 2000, 100
    start = time.perf_counter()
    if "mean" in parts:
        mean_table(seeds_mean)
    if "false" in parts:
        false_alarm_table(seeds_false)
    if "power" in parts:
        power_table(seeds_power)
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
