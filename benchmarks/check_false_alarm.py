"""False alarms and power of the statistical targets of ``rtverify check``, over many seeds.

Two measurements, because the check's noise does not depend on its ``seed``:

- ``full``: the whole check (:func:`rtverify.check.core.run_check`, worker process included) on
  each correct corpus file of a statistical target for seeds 0 … S−1, at the stated family-wise
  false-alarm probability (1e-6). Reported: failures, "not judged", and how many *distinct*
  sets of test statistics the S seeds produced. IMPL's noise is seeded by the call index
  (``Noise(1)``, ``Noise(2)``, …), not by the check's seed, so an ``rsample`` check gives the same
  statistics for every seed: S seeds are one observation, not S.
- ``calibration`` / ``power``: the check's own tests (:mod:`rtverify.check.statistics`, the
  target's inputs and exact gradients) applied in this process to IMPL's output under *fresh*
  noise — replicate r seeds call c with ``r · 10⁶ + c`` — so each replicate is an independent
  draw of the check. Calibration: the rejection rate of each test at α = 0.05, 0.01, 1e-3 (next to
  that nominal α) and of the whole family at the check's α. Power (``rsample``): the fraction of
  replicates in which the goodness-of-fit family rejects a sampler with σ·(1 + δ) or μ + δσ.

Usage: ``python benchmarks/check_false_alarm.py [--only full|calibration|power|estimator]
[--seeds 200] [--replicates 200] [--files NAME …]``
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import sys
import time
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # as in the check's worker: threads only contend here

import numpy as np  # noqa: E402

from rtverify.check import statistics  # noqa: E402
from rtverify.check.core import FALSE_ALARM, Options, run_check  # noqa: E402
from rtverify.check.report import Report  # noqa: E402
from rtverify.check.target import Context  # noqa: E402
from rtverify.check.targets import _sampler_law, autograd  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "check_corpus"
STATISTICAL = ("rsample", "gradient-estimator")
LEVELS = (0.05, 0.01, 1e-3)
#: replicate r seeds its c-th call with r · OFFSET + c (the check itself uses c)
OFFSET = 10**6


def meta(path: Path) -> dict:
    """The corpus file's upper-case assignments, read without importing it."""
    out = {"PARAM": None, "REDUCTION": None, "FRAMEWORK": "numpy", "DTYPE": None}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id.isupper():
                out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


def correct_files(names: list[str]) -> list[tuple[Path, dict]]:
    """Correct corpus files of the statistical targets whose framework is installed."""
    out = []
    for path in sorted(CORPUS.rglob("*.py")):
        m = meta(path)
        if m["TARGET"] not in STATISTICAL or m["EXPECT"] is not None:
            continue
        if names and not any(n in str(path) for n in names):
            continue
        if m["FRAMEWORK"] != "numpy" and importlib.util.find_spec(m["FRAMEWORK"]) is None:
            continue
        out.append((path, m))
    return out


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the whole check over seeds --------------------------------------------------------------


def full(files: list[tuple[Path, dict]], seeds: int) -> None:
    print(f"whole check (run_check) over seeds 0..{seeds - 1}, stated false alarm {FALSE_ALARM:g}")
    for path, m in files:
        started = time.perf_counter()
        fails, declined, notes_seen, fixed_seen = 0, 0, set(), set()
        for seed in range(seeds):
            o = Options(m["FRAMEWORK"], m["DTYPE"], m["PARAM"], None, seed, FALSE_ALARM)
            report = run_check(m["TARGET"], f"{path}:impl", o)
            fails += report.verdict.startswith("DOES NOT")
            declined += report.exit_code == 3
            notes_seen.add(tuple(report.notes))
            # gradient-estimator: the variance note is at a fixed configuration (μ = 0.8, σ = 1.5)
            fixed_seen.add(tuple(n for n in report.notes if "variance per sample" in n))
        rate = (time.perf_counter() - started) / seeds
        fixed = (
            f", {len(fixed_seen)} at the fixed configuration" if m["TARGET"] != "rsample" else ""
        )
        print(
            f"  {path.relative_to(CORPUS)!s:45s} {seeds} seeds: {fails} fail, {declined} not "
            f"judged; {len(notes_seen)} distinct sets of notes (statistics){fixed}; "
            f"{rate:.2f} s per check"
        )


# -- rsample: the check's tests under fresh noise ---------------------------------------------


def _ctx(target: str, m: dict, seed: int) -> Context:
    framework = m["FRAMEWORK"]
    dtype = m["DTYPE"] or ("float64" if framework == "numpy" else "float32")
    report = Report(target, "benchmark", seed, framework=framework, dtype=dtype)
    return Context(None, report, framework, dtype, seed, FALSE_ALARM, m["PARAM"] or "logvar")


class _Caller:
    """IMPL called in this process the way the worker calls it, with noise seed ``seed``."""

    def __init__(self, path: Path, m: dict) -> None:
        self.fw = m["FRAMEWORK"]
        self.impl = _load(path).impl
        if self.fw == "jax" and (m["DTYPE"] or "float32") == "float64":
            import jax

            jax.config.update("jax_enable_x64", True)

    def tensor(self, a: np.ndarray, grad: bool = False):
        if self.fw == "torch":
            import torch

            return torch.from_numpy(a.copy()).requires_grad_(grad)
        if self.fw == "jax":
            import jax.numpy as jnp

            return jnp.asarray(a)
        return a.copy()

    def sample(self, mu, p, seed: int) -> np.ndarray:
        if self.fw == "torch":
            import torch

            torch.manual_seed(seed)
            return self.impl(mu, p).detach().numpy().astype(np.float64)
        if self.fw == "jax":
            import jax

            return np.asarray(self.impl(jax.random.PRNGKey(seed), mu, p), dtype=np.float64)
        return np.asarray(self.impl(mu, p, np.random.default_rng(seed)), dtype=np.float64)


def _standardized(caller: _Caller, m: dict, replicate: int) -> np.ndarray:
    """x = (z − μ)/σ over the check's CALLS calls, as the check computes it."""
    mu, p, sigma = _sampler_law._inputs(_ctx("rsample", m, replicate))
    mu_t, p_t = caller.tensor(mu), caller.tensor(p)
    base = replicate * OFFSET
    z = np.stack([caller.sample(mu_t, p_t, base + c) for c in range(1, _sampler_law.CALLS + 1)])
    return (z - mu.astype(np.float64)) / sigma


def _law_tests(x: np.ndarray, alpha: float) -> list[statistics.Verdict]:
    """The check's six tests of the law, each at ``alpha`` (the check uses false_alarm / 6)."""
    return [
        statistics.dkwm_normal(x, alpha),
        statistics.normal_mean(x, alpha),
        statistics.normal_variance(x, alpha),
        statistics.correlation(x[:, :-1], x[:, 1:], "rows", alpha),
        statistics.correlation(x[:, :, :-1], x[:, :, 1:], "latent", alpha),
        statistics.correlation(x[:-1], x[1:], "calls", alpha),
    ]


def calibration(files: list[tuple[Path, dict]], replicates: int) -> None:
    print(f"rsample: rejection rates of the check's tests under fresh noise ({replicates} reps)")
    check_alpha = FALSE_ALARM / 6
    for path, m in files:
        if m["TARGET"] != "rsample":
            continue
        caller = _Caller(path, m)
        started = time.perf_counter()
        rejected = np.zeros((len(LEVELS) + 1, 6))
        family = 0
        for r in range(replicates):
            x = _standardized(caller, m, r + 1)
            for i, alpha in enumerate((*LEVELS, check_alpha)):
                verdicts = _law_tests(x, alpha)
                rejected[i] += [not v.passed for v in verdicts]
                if i == len(LEVELS):
                    family += not all(v.passed for v in verdicts)
        print(f"  {path.relative_to(CORPUS)} [{time.perf_counter() - started:.0f} s]")
        names = ("DKWM", "mean", "χ² scale", "corr rows", "corr latent", "corr calls")
        for k, name in enumerate(names):
            rates = ", ".join(
                f"{rejected[i, k] / replicates:.3f} (α {a:g})" for i, a in enumerate(LEVELS)
            )
            print(f"    {name:12s} {rates}")
        print(
            f"    family at the check's α ({FALSE_ALARM:g}): {family}/{replicates} rejections "
            f"(95 % upper bound on the rate {_upper(family, replicates):.2g})"
        )


def _upper(k: int, n: int) -> float:
    """Clopper–Pearson 95 % upper bound on a rate observed k times in n."""
    from scipy.stats import beta

    return 1.0 if k >= n else float(beta.ppf(0.95, k + 1, n - k))


def power(files: list[tuple[Path, dict]], replicates: int) -> None:
    """Detection rate of the goodness-of-fit family (DKWM, mean, χ²) at the check's α for a
    sampler z' = μ + (1 + δ)σε (scale) or μ + σ(ε + δ) (shift), on the correct IMPL's ε."""
    errors = [("σ·1.01", 1.01, 0.0), ("σ·1.02", 1.02, 0.0), ("σ·1.03", 1.03, 0.0)]
    errors += [("σ·0.98", 0.98, 0.0), ("μ + 0.01σ", 1.0, 0.01), ("μ + 0.02σ", 1.0, 0.02)]
    errors += [("μ + 0.03σ", 1.0, 0.03)]
    alpha = FALSE_ALARM / 6
    for path, m in files[:1]:
        caller = _Caller(path, m)
        print(f"rsample power at the check's α ({FALSE_ALARM:g} / 6 per test), {replicates} reps,")
        print(f"  on the noise of {path.relative_to(CORPUS)}:")
        hits = {label: np.zeros(4) for label, _, _ in errors}
        for r in range(replicates):
            x = _standardized(caller, m, r + 1)
            for label, scale, shift in errors:
                v = _law_tests(scale * x + shift, alpha)[:3]
                hits[label][:3] += [not v[0].passed, not v[1].passed, not v[2].passed]
                hits[label][3] += not all(t.passed for t in v)
        for label, h in hits.items():
            print(
                f"    {label:10s} detected {h[3] / replicates:.2f} (DKWM {h[0] / replicates:.2f}, "
                f"mean {h[1] / replicates:.2f}, χ² {h[2] / replicates:.2f})"
            )


# -- gradient-estimator: the check's mean tests under fresh noise -----------------------------


def _gradients(caller: _Caller, f_code: str, mu, p, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from rtverify.check.adapters import build_function

    if caller.fw == "torch":
        import torch

        torch.manual_seed(seed)
        m_t, p_t = caller.tensor(mu, True), caller.tensor(p, True)
        out = caller.impl(build_function(f_code, torch), m_t, p_t)
        gm, gp = torch.autograd.grad(out, (m_t, p_t))
        return gm.numpy().astype(np.float64), gp.numpy().astype(np.float64)
    import jax
    import jax.numpy as jnp

    key = jax.random.PRNGKey(seed)
    fn = build_function(f_code, jnp)
    gm, gp = jax.grad(lambda a, b: caller.impl(key, fn, a, b), argnums=(0, 1))(
        jnp.asarray(mu), jnp.asarray(p)
    )
    return np.asarray(gm, dtype=np.float64), np.asarray(gp, dtype=np.float64)


def estimator(files: list[tuple[Path, dict]], replicates: int, biases: tuple = ()) -> None:
    """Calibration of the check's mean tests on correct estimators; with ``biases``, also the
    fraction of replicates in which the family flags the same gradients times (1 + bias)."""
    from rtverify import gaussian

    n_tests = 2 * len(autograd.FUNCTIONS) * 6
    check_alpha = FALSE_ALARM / n_tests
    print(
        f"gradient-estimator: the check's {n_tests} mean tests under fresh noise "
        f"({replicates} reps, {autograd.CALLS} calls × D = {autograd.DIM} each)"
    )
    for path, m in files:
        if m["TARGET"] != "gradient-estimator":
            continue
        caller = _Caller(path, m)
        started = time.perf_counter()
        rejected, declined, family, tests, judged = np.zeros(len(LEVELS)), 0, 0, 0, 0
        detected = np.zeros(len(biases))
        for r in range(replicates):
            ctx = _ctx("gradient-estimator", m, r + 1)
            configs = autograd._configs(ctx)
            mu_rows = np.array([a for a, _ in configs])
            s_rows = np.array([s for _, s in configs])
            mu, p = ctx.cast(
                np.repeat(mu_rows[:, None], autograd.DIM, axis=1),
                np.repeat(
                    gaussian.param_from_logvar(2 * np.log(s_rows), ctx.param)[:, None],
                    autograd.DIM,
                    axis=1,
                ),
            )
            sigma = gaussian.std_from(p[:, 0].astype(np.float64), ctx.param)
            mu_used = mu[:, 0].astype(np.float64)
            any_fail, flagged = False, np.zeros(len(biases), dtype=bool)
            for f in autograd.FUNCTIONS:
                code = str(autograd._tf(f).expr)
                seeds = [
                    r * OFFSET + 10**5 * autograd.FUNCTIONS.index(f) + c for c in range(1, 121)
                ]
                g = [_gradients(caller, code, mu, p, s) for s in seeds]
                for k in (0, 1):
                    means = np.stack([gg[k] for gg in g]).mean(axis=2)
                    for b in range(len(configs)):
                        want = autograd._expected(f, mu_used[b], sigma[b], k, ctx.param)
                        for j, bias in enumerate(biases):
                            w = statistics.mean_test((1 + bias) * means[:, b], want, check_alpha)
                            flagged[j] |= w.judged and not w.passed
                        tests += 1
                        v = statistics.mean_test(means[:, b], want, check_alpha)
                        if not v.judged:
                            declined += 1
                            continue
                        judged += 1
                        any_fail |= not v.passed
                        for i, a in enumerate(LEVELS):
                            rejected[i] += not statistics.mean_test(means[:, b], want, a).passed
            family += any_fail
            detected += flagged
        rates = ", ".join(
            f"{rejected[i] / max(judged, 1):.4f} (α {a:g})" for i, a in enumerate(LEVELS)
        )
        print(
            f"  {path.relative_to(CORPUS)!s:45s} per-test rejection {rates}; not judged "
            f"{declined}/{tests}; family at the check's α: {family}/{replicates} "
            f"(95 % upper bound {_upper(family, replicates):.2g}) "
            f"[{time.perf_counter() - started:.0f} s]"
        )
        for bias, hits in zip(biases, detected, strict=True):
            print(f"    gradients × (1 + {bias:g}): flagged in {hits:.0f}/{replicates} replicates")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("full", "calibration", "power", "estimator"))
    parser.add_argument("--seeds", type=int, default=200, help="seeds of the whole check")
    parser.add_argument("--replicates", type=int, default=200, help="fresh-noise replicates")
    parser.add_argument("--files", nargs="*", default=[], metavar="NAME")
    parser.add_argument(
        "--biases", nargs="*", type=float, default=[], help="estimator: relative biases to inject"
    )
    args = parser.parse_args(argv)
    files = correct_files(args.files)
    if args.only in (None, "full"):
        full(files, args.seeds)
    if args.only in (None, "calibration"):
        calibration(files, args.replicates)
    if args.only in (None, "power"):
        power([f for f in files if f[1]["TARGET"] == "rsample"], args.replicates)
    if args.only in (None, "estimator"):
        estimator(files, args.replicates, tuple(args.biases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
