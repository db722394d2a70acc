"""Judging a deterministic target: IMPL against a closed-form reference within rounding.

A :class:`ClosedForm` says what the target computes (its reference, the rounding bound of a
correct implementation in the dtype it is given, its input cases, the mistakes real code makes);
:func:`judge` runs IMPL on every case and judges, on every call:

1. runs and returns an array of the due shape (a scalar due may come as shape (1,): judged on
   its value, with a note);
2. returns the precision it was given (float32 for float32 inputs; more is fine);
3. finite for finite inputs;
4. agrees with the reference within the dtype's rounding bound (plus the dtype's smallest normal
   number, so that a framework flushing subnormals to zero conforms);
5. (torch, jax, where the target has a gradient) gradients by the framework's autograd equal the
   exact ones within rounding — a ``.sample()``, ``.detach()`` or ``no_grad`` is named;
6. leaves its inputs unchanged;
7. deterministic: the same inputs under two global random states give the same output.

No statistical test is made: a correct implementation passes with probability 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rtverify.check import diagnose
from rtverify.check.adapters import NO_GRADIENT_HINT
from rtverify.check.calls import Call
from rtverify.check.report import FAIL, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.shrink import shrink, value_cases
from rtverify.check.target import Context

__all__ = ["ClosedForm", "Gradient", "judge", "property_names", "reduce", "with_reductions"]

_GLOBAL_SEEDS = (12345, 54321)
#: Naming a mistake allows IMPL this many rounding bounds (a naive formula's cancellation).
_MATCH_SLACK = {"float64": 1e6, "float32": 1e2}
_SHRINK_CALLS = 120  # calls of IMPL the shrinker may make: a fixed number, never a time


@dataclass(frozen=True)
class Gradient:
    """Which arguments a gradient is taken for, and its exact value.

    ``expected(args, w, ctx)`` → one (value, tolerance) pair per position in ``wrt``: the exact
    gradient of ``sum(w * output)`` with respect to each argument.
    """

    wrt: tuple[int, ...]
    expected: Callable[[tuple, np.ndarray, Context], list[tuple[np.ndarray, np.ndarray]]]
    #: what a missing gradient means for this target, before the framework's own hint
    missing: str = "not differentiable through IMPL:"


@dataclass(frozen=True)
class ClosedForm:
    """A deterministic target's definition (see the module docstring)."""

    arg_names: Callable[[Context], tuple[str, ...]]
    cases: Callable[[Context], list[tuple[str, tuple[np.ndarray, ...]]]]
    due_shape: Callable[[tuple, Context], tuple[int, ...]]
    reference: Callable[[tuple, Context], np.ndarray]
    tolerance: Callable[[tuple, Context], np.ndarray]
    mistakes: Callable[[tuple, Context], list[diagnose.Mistake]]
    #: words for an output of the wrong shape: (got, due, args, ctx) → str or None
    shape_words: Callable[[np.ndarray, tuple, tuple, Context], str | None]
    #: shrinking: the value names, their ranges, and example → args
    shrink_names: tuple[str, ...]
    shrink_ranges: dict[str, tuple[float, float]]
    shrink_args: Callable[[dict, Context], tuple]
    gradient: Gradient | None = None
    #: what a non-deterministic output means
    nondeterministic: str = "uses the global random state"


def reduce(values: np.ndarray, reduction: str) -> np.ndarray:
    """Per-example values reduced over the batch (last) axis as ``--reduction`` says."""
    if reduction == "sum":
        return np.sum(values, axis=-1)
    if reduction == "mean":
        return np.mean(values, axis=-1)
    return values


def with_reductions(
    wrong: list[diagnose.Mistake], per_example: np.ndarray, ctx: Context
) -> list[diagnose.Mistake]:
    """The per-example mistakes reduced as ``--reduction`` asks, plus the other reduction."""
    reduced = [(t, lambda v=v: reduce(v(), ctx.reduction)) for t, v in wrong]
    if ctx.reduction != "none":
        for other in ("sum", "mean"):
            if other != ctx.reduction:
                text = (
                    f"returns the {other} over the batch where the {ctx.reduction} is due "
                    f"(did you mean --reduction {other}?)"
                )
                reduced.insert(0, (text, lambda o=other: reduce(per_example, o)))
    return reduced


def property_names(spec: ClosedForm, ctx: Context) -> list[str]:
    names = [
        "runs and returns an array of the due shape",
        f"returns {ctx.dtype} (the precision it was given) or wider",
        "finite for finite inputs",
        f"agrees with the reference within {ctx.dtype} rounding",
    ]
    if spec.gradient is not None and ctx.framework != "numpy":
        names.append("gradients by autograd equal the exact ones")
    names += [
        "leaves its inputs unchanged",
        "deterministic: same inputs, same output (whatever the global random state)",
    ]
    return names


def _brief(value: np.ndarray | None) -> np.ndarray | str | None:
    return value if value is None or value.size <= 6 else f"shape {value.shape}"


def _inputs(spec: ClosedForm, ctx: Context, args: tuple) -> dict[str, Any]:
    names = spec.arg_names(ctx)
    if max(a.size for a in args) <= 6:
        return dict(zip(names, args, strict=True))
    return {k: f"shape {a.shape}" for k, a in zip(names, args, strict=True)}


def _call(spec: ClosedForm, ctx: Context, args: tuple, w: np.ndarray | None) -> Call:
    if spec.gradient is None or ctx.framework == "numpy" or w is None:
        return Call(args)
    return Call(args, grad=spec.gradient.wrt, cotangent=w)


def _cotangent(ctx: Context, label: str, due: tuple[int, ...]) -> np.ndarray:
    return ctx.rng("cotangent", label).uniform(0.5, 2.0, due).astype(ctx.dtype)


def judge(spec: ClosedForm, ctx: Context) -> list[PropertyResult]:
    """Judge IMPL (running in ``ctx.box``) on every property; see the module docstring."""
    names = property_names(spec, ctx)
    out = {n: PropertyResult(n, NOT_RUN) for n in names}
    cases = [(label, ctx.cast(*args)) for label, args in spec.cases(ctx)]
    dues = [spec.due_shape(args, ctx) for _, args in cases]
    ws = [_cotangent(ctx, label, due) for (label, _), due in zip(cases, dues, strict=True)]
    calls = [_call(spec, ctx, args, w) for (_, args), w in zip(cases, ws, strict=True)]
    results = ctx.box.run(calls)  # every call held to the timeout

    # 1. runs, array, due shape
    unit_shaped = False
    for (label, args), due, res in zip(cases, dues, results, strict=False):
        problem = res.problem(due, allow_unit=True)
        if problem is None:
            unit_shaped |= due == () and res.value.shape != ()
            continue
        if problem == "shape":
            problem = spec.shape_words(res.value, due, args, ctx) or (
                f"wrong shape {tuple(res.value.shape)} (shape {due} is due)"
            )
        cx = Counterexample(_inputs(spec, ctx, args), got=_brief(res.value))
        out[names[0]] = PropertyResult(names[0], FAIL, f"{problem} (input case: {label})", cx)
        return list(out.values())
    out[names[0]] = PropertyResult(names[0], PASS)
    if unit_shaped:
        ctx.note("IMPL returns the reduced value with shape (1,) (keepdim?); judged on its value")
    values = [r.value.reshape(d).astype(np.float64) for r, d in zip(results, dues, strict=True)]

    # 2. precision
    out[names[1]] = ctx.precision(names[1], results)

    # 3. finite, 4. accurate
    out[names[2]] = PropertyResult(names[2], PASS)
    bad: list[tuple] = []
    for (label, args), got in zip(cases, values, strict=True):
        ref = spec.reference(args, ctx)
        tol = spec.tolerance(args, ctx) + 2 * ctx.tiny
        if out[names[2]].ok and not np.isfinite(got).all():
            out[names[2]] = _finite_failure(names[2], spec, ctx, label, args, ref, got)
        with np.errstate(invalid="ignore"):
            if not (np.abs(got - ref) <= tol).all():
                bad.append((label, args, ref, got))
    dtype_seen = results[0].dtype
    out[names[3]] = (
        PropertyResult(names[3], PASS)
        if not bad
        else _accuracy_failure(names[3], spec, ctx, bad, dtype_seen)
    )

    # 5. gradients
    if spec.gradient is not None and ctx.framework != "numpy":
        name = "gradients by autograd equal the exact ones"
        out[name] = _gradient_property(name, spec, ctx, cases, ws, results)

    # 6. mutation
    name = names[-2]
    mutated = sorted({k for r in results for k in r.mutated})
    arg_names = spec.arg_names(ctx)
    out[name] = (
        PropertyResult(name, PASS)
        if not mutated
        else PropertyResult(
            name, FAIL, "mutated argument " + ", ".join(arg_names[k] for k in mutated)
        )
    )

    # 7. determinism under different global random states
    name = names[-1]
    args = cases[0][1]
    twice = ctx.box.run([Call(args, global_seed=s) for s in _GLOBAL_SEEDS])
    if len(twice) < 2 or any(r.error or r.value is None for r in twice):
        detail = (twice[-1].error or "no output") + " (on a repeated call)"
        out[name] = PropertyResult(name, FAIL, detail)
    elif not np.array_equal(twice[0].value, twice[1].value, equal_nan=True):
        cx = Counterexample(
            _inputs(spec, ctx, args),
            twice[0].value,
            twice[1].value,
            "second call under another global random seed; 'expected' is the first call",
        )
        detail = f"two identical calls give different outputs: {spec.nondeterministic}"
        out[name] = PropertyResult(name, FAIL, detail, cx)
    else:
        out[name] = PropertyResult(name, PASS)
    return list(out.values())


def _gradient_property(name, spec, ctx, cases, ws, results) -> PropertyResult:
    grad = spec.gradient
    arg_names = spec.arg_names(ctx)
    for (label, args), w, res in zip(cases, ws, results, strict=True):
        if not res.grads or all(g is None for g in res.grads):
            why = f" ({res.grad_note})" if res.grad_note else ""
            what = " and ".join(arg_names[k] for k in grad.wrt)
            hint = NO_GRADIENT_HINT[ctx.framework]
            detail = f"no gradient flows from the output to {what}{why}: {grad.missing} {hint}"
            return PropertyResult(name, FAIL, detail)
        expected = grad.expected(args, w.astype(np.float64), ctx)
        for k, (want, tol), got in zip(
            grad.wrt, expected, res.grads or (None,) * len(grad.wrt), strict=True
        ):
            what = arg_names[k]
            if got is None:
                why = f" ({res.grad_note})" if res.grad_note else ""
                hint = NO_GRADIENT_HINT[ctx.framework]
                detail = f"no gradient flows from the output to {what}{why}: {grad.missing} {hint}"
                return PropertyResult(name, FAIL, detail)
            got = got.astype(np.float64)
            with np.errstate(invalid="ignore"):
                ok = np.abs(got - want) <= tol + 2 * ctx.tiny
            if ok.all():
                continue
            i = np.unravel_index(int(np.argmax(~ok)), ok.shape)
            if not np.any(got) and np.any(want):
                hint = NO_GRADIENT_HINT[ctx.framework]
                detail = f"the gradient with respect to {what} is 0: {grad.missing} {hint}"
            else:
                detail = f"wrong gradient with respect to {what} (input case: {label})" + (
                    diagnose.gradient_error_words(got, want)
                )

            same = all(a.shape == ok.shape for a in args)

            def at(a: np.ndarray, i: tuple = i, same: bool = same) -> np.ndarray:
                """The element where the gradient is wrong or, where the arguments' shapes
                differ (a scale_tril's gradient is (batch, D, D), mu's (batch, D)), its example."""
                return a[i] if same else a[i[0]]

            where = "one element" if same else f"entry {[int(k) for k in i]} of it"
            cx = Counterexample(
                {n: at(a) for n, a in zip(arg_names, args, strict=True)} | {"cotangent": at(w)},
                want[i],
                got[i],
                f"∂(Σ cotangent·output)/∂{what} at {where}, by the framework's autograd",
            )
            return PropertyResult(name, FAIL, detail, cx)
    return PropertyResult(name, PASS)


def _finite_failure(name, spec, ctx, label, args, ref, got) -> PropertyResult:
    """Find the first single row (batch = 1) of the case on which IMPL is not finite."""
    rows = [tuple(a[i : i + 1] for a in args) for i in range(args[0].shape[0])][:64]
    cx = Counterexample({"case": label}, _brief(ref), _brief(got))
    for row, res in zip(rows, ctx.box.run([Call(r) for r in rows]), strict=False):
        if res.value is not None and not np.isfinite(res.value.astype(np.float64)).all():
            note = f"one row of the input case '{label}'"
            cx = Counterexample(_inputs(spec, ctx, row), spec.reference(row, ctx), res.value, note)
            break
    return PropertyResult(name, FAIL, diagnose.describe_error(got, ref, ctx.dtype, ctx.dtype), cx)


def _accuracy_failure(name, spec, ctx, bad: Sequence[tuple], dtype_seen: str) -> PropertyResult:
    slack = _MATCH_SLACK.get(ctx.dtype, 1e2)
    words = diagnose.match(
        [
            (got, spec.mistakes(args, ctx), ref, slack * spec.tolerance(args, ctx))
            for _, args, ref, got in bad
        ]
    )
    cx = _shrunk_counterexample(spec, ctx)
    if words is None:
        _, _, ref, got = bad[0]
        shown = None
        if cx is not None and cx.got is not None:
            shown = (np.asarray(cx.got, np.float64), np.asarray(cx.expected, np.float64))
        words = diagnose.describe_error(got, ref, dtype_seen, ctx.dtype, shown)
    if cx is None:
        cx = Counterexample({"case": bad[0][0]}, note="no smaller counterexample found")
    return PropertyResult(name, FAIL, words, cx)


def _shrunk_counterexample(spec: ClosedForm, ctx: Context) -> Counterexample | None:
    def fails(example: dict) -> bool:
        args = ctx.cast(*spec.shrink_args(example, ctx))
        res = ctx.box.call(Call(args))
        due = spec.due_shape(args, ctx)
        if res.problem(due, allow_unit=True) is not None:
            return False
        got = res.value.reshape(due).astype(np.float64)
        tol = spec.tolerance(args, ctx) + 2 * ctx.tiny
        with np.errstate(invalid="ignore"):
            return not bool((np.abs(got - spec.reference(args, ctx)) <= tol).all())

    example = shrink(value_cases(spec.shrink_names, spec.shrink_ranges), fails, _SHRINK_CALLS)
    if example is None:
        return None
    example = _single_element(example, fails)
    args = ctx.cast(*spec.shrink_args(example, ctx))
    res = ctx.box.call(Call(args))
    return Counterexample(
        _inputs(spec, ctx, args),
        spec.reference(args, ctx),
        res.value,
        "minimal failing input found by Hypothesis",
    )


def _single_element(example: dict, fails: Callable[[dict], bool]) -> dict:
    """The example cut to one failing element (batch = D = 1) or one row, if possible."""
    rows, cols = len(example[next(iter(example))]), len(example[next(iter(example))][0])
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
