"""Deterministic targets: ``gaussian-kl`` and ``reparam-sample``.

Properties (each judged on every input case: batch × D = 5 × 3, 1 × 1, a grid of edge values
— 0, ±1, tiny, huge, logvar = ±30 — and 64 × 8 random values over logvar ∈ [−30, 30],
|μ| ≤ 1e3, σ given in the parameterization named by ``param``):

1. runs and returns an array of the due shape;
2. returns float64;
3. finite for finite inputs;
4. agrees with :mod:`rtverify.gaussian` within a bound on float64 rounding of the terms
   involved, so that any correct float64 implementation passes (the naive
   ½Σ(μ² + e^lv − 1 − lv) included) and one computed in float32 or float16 fails:

   - KL (Kingma & Welling 2014, App. B): |got − ref| ≤ K·u·(D + 4 [+ batch])·Σ_d (μ² +
     σ²(1 + |lv|) + 1 + |lv|) per example — the rounding of the four summands (σ² may pass
     through exp∘log, hence 1 + |lv|) and of their recursive summation (γ_n ≤ n·u, n terms);
   - sample z = μ + σ·ε (notes eq. 42-43): |got − ref| ≤ K·u·(|μ| + |σε|(2 + |lv|));
5. leaves its inputs unchanged;
6. deterministic: the same inputs under two different global random states give the same
   output (an IMPL drawing its own noise instead of using ``eps`` fails here).

No statistical test is made: a correct implementation passes with probability 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rtverify import gaussian
from rtverify.check import diagnose
from rtverify.check.report import FAIL, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.sandbox import Sandbox
from rtverify.check.shrink import shrink, value_cases

__all__ = ["DetTarget", "kl_target", "sample_target"]

U = np.finfo(np.float64).eps / 2  # unit roundoff of float64
K_ROUNDING = 4.0  # slack on the first-order rounding bounds (exp/log ≤ 1 ulp, products ½ ulp)
LOGVAR_RANGE = (-30.0, 30.0)
MU_RANGE = (-1e3, 1e3)
EPS_RANGE = (-6.0, 6.0)
_GLOBAL_SEEDS = (12345, 54321)
#: Naming a mistake allows IMPL 1e6 × the rounding bound (a naive formula's cancellation).
_MATCH_ATOL_PER_TOL = 1e6  # two different global random states for the determinism test
_EDGE_MU = (0.0, 1.0, -1.0, 0.1, 5e-324, 2.2250738585072014e-308, 1e3, -1e3)
_EDGE_LV = (0.0, 1.0, -1.0, 1e-300, 1e-10, -2.5, 30.0, -30.0)
_EDGE_EPS = (0.0, 1.0, -1.0, 2.5, -0.3, 1e-300, 6.0)


def p_from_logvar(lv: np.ndarray, param: str) -> np.ndarray:
    """The variance parameter named by ``param`` for given log σ² (inverse of logvar_from)."""
    return {
        "logvar": lambda: lv,
        "log_std": lambda: lv / 2,
        "std": lambda: np.exp(lv / 2),
        "var": lambda: np.exp(lv),
    }[param]()


@dataclass(frozen=True)
class DetTarget:
    """A deterministic target: its argument names and whether it takes ``eps``."""

    name: str
    takes_eps: bool

    def arg_names(self, param: str) -> tuple[str, ...]:
        return ("mu", param, "eps") if self.takes_eps else ("mu", param)

    def due_shape(self, batch: int, dim: int, reduction: str) -> tuple[int, ...]:
        if self.takes_eps:
            return (batch, dim)
        return (batch,) if reduction == "none" else ()

    def reference(self, args: tuple, param: str, reduction: str) -> np.ndarray:
        if self.takes_eps:
            return gaussian.sample_diag(args[0], args[1], args[2], param)
        per_example = gaussian.kl_standard_normal(args[0], args[1], param)
        return _reduce(per_example, reduction)

    def tolerance(self, args: tuple, param: str, reduction: str) -> np.ndarray:
        mu, p = args[0], args[1]
        lv = gaussian.logvar_from(p, param)
        if self.takes_eps:
            spread = np.abs(gaussian.std_from(p, param) * args[2])
            return K_ROUNDING * U * (np.abs(mu) + spread * (2.0 + np.abs(lv)))
        batch, dim = mu.shape
        n_terms = dim + 4 + (batch if reduction != "none" else 0)
        size = np.sum(mu * mu + np.exp(lv) * (1.0 + np.abs(lv)) + 1.0 + np.abs(lv), axis=-1)
        return _reduce(K_ROUNDING * U * n_terms * size, reduction)

    def mistakes(self, args: tuple, param: str, reduction: str) -> list[diagnose.Mistake]:
        if self.takes_eps:
            return diagnose.sample_mistakes(*args, param)
        wrong = diagnose.kl_mistakes(args[0], args[1], param)
        reduced = [(t, lambda v=v: _reduce(v(), reduction)) for t, v in wrong]
        if reduction != "none":
            per_example = gaussian.kl_standard_normal(args[0], args[1], param)
            other = "sum" if reduction == "mean" else "mean"
            reduced.insert(
                0,
                (
                    f"returns the {other} over the batch where the {reduction} is due",
                    lambda: _reduce(per_example, other),
                ),
            )
        return reduced


def _reduce(values: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "sum":
        return np.sum(values)
    if reduction == "mean":
        return np.mean(values)
    return values


kl_target = DetTarget("gaussian-kl", takes_eps=False)
sample_target = DetTarget("reparam-sample", takes_eps=True)


def _cases(target: DetTarget, param: str, seed: int) -> list[tuple[str, tuple]]:
    from rtverify import stats

    gen = stats.rng("rtverify check", target.name, param, seed)

    def random_case(batch: int, dim: int) -> tuple[np.ndarray, ...]:
        mags = 10.0 ** gen.uniform(-3.0, 3.0, (batch, dim))
        mu = np.where(gen.random((batch, dim)) < 0.1, 0.0, gen.choice([-1.0, 1.0], (batch, dim)))
        mu = mu * mags
        lv = gen.uniform(*LOGVAR_RANGE, (batch, dim))
        return mu, lv, gen.standard_normal((batch, dim))

    mu_g, lv_g = (a.reshape(-1, 1) for a in np.meshgrid(_EDGE_MU, _EDGE_LV, indexing="ij"))
    eps_g = np.resize(np.array(_EDGE_EPS), mu_g.shape)
    raw = [
        ("batch 5, D 3", random_case(5, 3)),
        ("batch 1, D 1", random_case(1, 1)),
        ("edge values", (mu_g, lv_g, eps_g)),
        ("random 64 × 8", random_case(64, 8)),
    ]
    cases = []
    for label, (mu, lv, eps) in raw:
        args = (mu, p_from_logvar(lv, param)) + ((eps,) if target.takes_eps else ())
        cases.append((label, tuple(np.ascontiguousarray(a, dtype=np.float64) for a in args)))
    return cases


def _brief(value: np.ndarray | None) -> np.ndarray | str | None:
    return value if value is None or value.size <= 6 else f"shape {value.shape}"


def _inputs(target: DetTarget, param: str, args: tuple) -> dict[str, Any]:
    return dict(zip(target.arg_names(param), args, strict=True))


def run_det(
    target: DetTarget, box: Sandbox, param: str, reduction: str, seed: int
) -> list[PropertyResult]:
    """Judge the six properties of a deterministic target; IMPL runs in ``box``."""
    names = [
        "runs and returns an array of the due shape",
        "returns float64",
        "finite for finite inputs",
        "agrees with the reference within float64 rounding",
        "leaves its inputs unchanged",
        "deterministic: same inputs, same output (whatever the global random state)",
    ]
    out = [PropertyResult(n, NOT_RUN) for n in names]
    cases = _cases(target, param, seed)
    results = box.run([cases[0][1]])  # one call first: a hang is caught by the call timeout
    if results[0].error is None:
        results += box.run([args for _, args in cases[1:]])

    # 1. runs, array, due shape
    for (label, args), res in zip(cases, results, strict=False):  # stops at a raise
        batch, dim = args[0].shape
        due = target.due_shape(batch, dim, reduction)
        problem = res.problem(due)
        if problem is None:
            continue
        if problem == "shape":
            per_example = gaussian.kl_standard_normal(args[0], args[1], param)
            per_term = (
                None
                if target.takes_eps
                else 0.5 * (args[0] ** 2 + gaussian.expm1mx(gaussian.logvar_from(args[1], param)))
            )
            problem = diagnose.describe_shape(res.value, due, batch, per_term, per_example)
        out[0] = PropertyResult(
            names[0],
            FAIL,
            f"{problem} (input case: {label})",
            Counterexample(
                _inputs(target, param, args)
                if batch * dim <= 3
                else {k: f"shape {a.shape}" for k, a in _inputs(target, param, args).items()},
                got=_brief(res.value),
            ),
        )
        return out
    out[0] = PropertyResult(names[0], PASS)

    # 2. dtype
    dtypes = sorted({str(r.value.dtype) for r in results if str(r.value.dtype) != "float64"})
    out[1] = (
        PropertyResult(names[1], PASS)
        if not dtypes
        else PropertyResult(names[1], FAIL, f"returns {', '.join(dtypes)} for float64 inputs")
    )

    # 3. finite, 4. accurate
    finite_bad = accuracy_bad = None
    for (label, args), res in zip(cases, results, strict=False):  # stops at a raise
        ref = target.reference(args, param, reduction)
        tol = target.tolerance(args, param, reduction)
        got = res.value.astype(np.float64)
        if finite_bad is None and not np.isfinite(got).all():
            finite_bad = (label, args, ref, got)
        with np.errstate(invalid="ignore"):
            within = np.abs(got - ref) <= tol
        if not within.all():
            if accuracy_bad is None:
                accuracy_bad = (label, args, ref, got, str(res.value.dtype), [])
            else:
                accuracy_bad[-1].append((args, ref, got))  # further failing cases, to diagnose
    if finite_bad is None:
        out[2] = PropertyResult(names[2], PASS)
    else:
        label, args, ref, got = finite_bad
        out[2] = _finite_failure(names[2], target, box, param, reduction, label, args, ref, got)
    if accuracy_bad is None:
        out[3] = PropertyResult(names[3], PASS)
    else:
        out[3] = _accuracy_failure(names[3], target, box, param, reduction, accuracy_bad)

    # 5. mutation
    mutated = sorted({k for r in results for k in r.mutated})
    arg_names = target.arg_names(param)
    out[4] = (
        PropertyResult(names[4], PASS)
        if not mutated
        else PropertyResult(
            names[4], FAIL, "mutated argument " + ", ".join(arg_names[k] for k in mutated)
        )
    )

    # 6. determinism under different global random states
    args = cases[0][1]
    twice = box.run([args, args], seeds=list(_GLOBAL_SEEDS))
    if len(twice) < 2 or any(r.error or r.value is None for r in twice):
        out[5] = PropertyResult(
            names[5], FAIL, (twice[-1].error or "no output") + " (on a repeated call)"
        )
    elif not np.array_equal(twice[0].value, twice[1].value, equal_nan=True):
        why = (
            "draws its own random numbers instead of using eps"
            if target.takes_eps
            else "uses the global random state"
        )
        out[5] = PropertyResult(
            names[5],
            FAIL,
            f"two identical calls give different outputs: {why}",
            Counterexample(
                _inputs(target, param, args),
                twice[0].value,
                twice[1].value,
                "second call under another global random seed; 'expected' is the first call",
            ),
        )
    else:
        out[5] = PropertyResult(names[5], PASS)
    return out


def _finite_failure(name, target, box, param, reduction, label, args, ref, got) -> PropertyResult:
    """Find the first single row (batch = 1) of the case on which IMPL is not finite."""
    rows = [tuple(a[i : i + 1] for a in args) for i in range(args[0].shape[0])]
    for row, res in zip(rows, box.run(rows), strict=False):
        if res.value is not None and not np.isfinite(res.value.astype(np.float64)).all():
            cx = Counterexample(
                _inputs(target, param, row),
                target.reference(row, param, reduction),
                res.value,
                f"one row of the input case '{label}'",
            )
            break
    else:
        cx = Counterexample({"case": label}, ref, got)
    return PropertyResult(name, FAIL, diagnose.describe_error(got, ref, "float64"), cx)


def _accuracy_failure(name, target, box, param, reduction, bad) -> PropertyResult:
    label, args, ref, got, dtype, others = bad
    words = diagnose.match(
        [
            (
                g,
                target.mistakes(a, param, reduction),
                r,
                _MATCH_ATOL_PER_TOL * target.tolerance(a, param, reduction),
            )
            for a, r, g in [(args, ref, got), *others]
        ]
    )
    if words is None:
        words = diagnose.describe_error(got, ref, dtype)
    cx = _shrunk_counterexample(target, box, param, reduction)
    if cx is None:
        cx = Counterexample({"case": label}, note="no smaller counterexample found")
    return PropertyResult(name, FAIL, words, cx)


def _shrunk_counterexample(target, box, param, reduction) -> Counterexample | None:
    names = ("mu", "lv", "eps") if target.takes_eps else ("mu", "lv")
    ranges = {"mu": MU_RANGE, "lv": LOGVAR_RANGE, "eps": EPS_RANGE}

    def to_args(example: dict) -> tuple:
        mu = np.array(example["mu"], dtype=np.float64)
        p = p_from_logvar(np.array(example["lv"], dtype=np.float64), param)
        rest = (np.array(example["eps"], dtype=np.float64),) if target.takes_eps else ()
        return (mu, p, *rest)

    def fails(example: dict) -> bool:
        args = to_args(example)
        res = box.run([args])[0]
        due = target.due_shape(*args[0].shape, reduction)
        if res.problem(due) is not None:
            return False
        with np.errstate(invalid="ignore"):
            diff = np.abs(res.value.astype(np.float64) - target.reference(args, param, reduction))
        return not bool((diff <= target.tolerance(args, param, reduction)).all())

    seconds = min(2.5, max(0.2, box.remaining() - 2.0))
    example = shrink(value_cases(names, ranges), fails, seconds)
    if example is None:
        return None
    example = _single_element(example, fails)
    args = to_args(example)
    res = box.run([args])[0]
    got = None if res.value is None else res.value
    return Counterexample(
        _inputs(target, param, args),
        target.reference(args, param, reduction),
        got,
        "minimal failing input found by Hypothesis",
    )


def _single_element(example: dict, fails: Any) -> dict:
    """Hypothesis' example cut to one failing element (batch = D = 1) or one row, if possible."""
    rows, cols = len(example["mu"]), len(example["mu"][0])
    if rows * cols == 1:
        return example
    for i in range(rows):
        for j in range(cols):
            single = {k: [[v[i][j]]] for k, v in example.items()}
            if fails(single):
                return single
    for i in range(rows):
        row = {k: [v[i]] for k, v in example.items()}
        if fails(row):
            return row
    return example
