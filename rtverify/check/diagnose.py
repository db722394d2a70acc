"""Saying in words what is wrong with a failing output.

Each catalog entry is a mistake real VAE code ships with, written as the (wrong) value it
produces; a failing output that matches an entry on every input of the failing case is named
by it ("off by a factor 2 (the ½ is missing)", "uses σ where σ² is due", …). Outputs matching no
entry are described by their shape, a constant ratio to the reference, or the size of their
error (float32/float16 rounding). The formulas here are *deliberately wrong*; the right ones
live in :mod:`rtverify.gaussian` only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rtverify import gaussian

__all__ = [
    "describe_error",
    "describe_shape",
    "gradient_error_words",
    "kl_mistakes",
    "match",
    "sample_mistakes",
]

SYMBOL = {"logvar": "log σ²", "log_std": "log σ", "std": "σ", "var": "σ²"}
_MATCH_RTOL = 1e-6  # a diagnosis is loose: it only names the mistake, the verdict is elsewhere

Mistake = tuple[str, Callable[[], np.ndarray]]


def _misreadings(param: str, value: Callable[[str], np.ndarray]) -> list[Mistake]:
    out = []
    for other in gaussian.PARAMETERIZATIONS:
        if other != param:
            text = (
                f"uses {SYMBOL[param]} where {SYMBOL[other]} is due: IMPL reads its variance "
                f"argument as {other} (did you mean --param {other}?)"
            )
            out.append((text, lambda o=other: value(o)))
    return out


def kl_mistakes(mu: np.ndarray, p: np.ndarray, param: str) -> list[Mistake]:
    """Wrong per-example KL values that real code produces, with their description."""
    ref = gaussian.kl_standard_normal(mu, p, param)
    lv = gaussian.logvar_from(p, param)
    var, std, dim = np.exp(lv), np.exp(0.5 * lv), mu.shape[-1]
    m2 = mu * mu
    half_sum = lambda t: 0.5 * np.sum(t, axis=-1)  # noqa: E731
    return [
        ("off by a factor 2 (the ½ is missing)", lambda: 2.0 * ref),
        ("off by a factor ½", lambda: 0.5 * ref),
        ("wrong sign", lambda: -ref),
        *_misreadings(param, lambda o: gaussian.kl_standard_normal(mu, p, o)),
        (
            "uses σ where σ² is due in the variance term (exp(logvar / 2) for exp(logvar))",
            lambda: half_sum(m2 + std - 1.0 - lv),
        ),
        (
            "uses log σ where log σ² is due in the log term",
            lambda: half_sum(m2 + var - 1.0 - lv / 2),
        ),
        ("the μ² term is missing", lambda: half_sum(var - 1.0 - lv)),
        ("the −1 term is missing (off by D/2)", lambda: half_sum(m2 + var - lv)),
        ("averages over the latent axis instead of summing", lambda: ref / dim),
        ("computes the reverse KL(N(0, I) ‖ q)", lambda: half_sum((1.0 + m2) / var - 1.0 + lv)),
        *_epsilon_mistakes(param, p, m2, var, lv, half_sum),
        *(
            (
                f"clamps log σ² to [{lo:g}, {hi:g}] before the KL (as diffusers' "
                "DiagonalGaussianDistribution does): wrong outside that range",
                lambda lo=lo, hi=hi: half_sum(m2 + gaussian.expm1mx(np.clip(lv, lo, hi))),
            )
            for lo, hi in _CLAMPS
        ),
    ]


#: Ranges real code clamps log σ² to "for stability".
_CLAMPS = ((-30.0, 20.0), (-10.0, 10.0), (-20.0, 20.0), (-10.0, 2.0))


#: The small constants real code adds inside a log "for stability".
_EPSILONS = (1e-8, 1e-6, 1e-5, 1e-7, 1e-10, 1e-12, 1e-4)


def _epsilon_mistakes(param, p, m2, var, lv, half_sum) -> list[Mistake]:
    """KLs computed with log(x + c) for the log of the variance parameter x (σ², σ)."""
    out = []
    for c in _EPSILONS:
        if param in ("var", "logvar"):
            text = (
                f"adds {c:g} inside the log (log(σ² + {c:g})): wrong where σ² is below ~{c * 1e3:g}"
            )
            out.append((text, lambda c=c: half_sum(m2 + var - 1.0 - np.log(var + c))))
        if param in ("std", "log_std"):
            std = np.sqrt(var)
            text = (
                f"adds {c:g} inside the log (log(σ + {c:g})): wrong where σ is below ~{c * 1e3:g}"
            )
            out.append((text, lambda c=c, std=std: half_sum(m2 + var - 1.0 - 2 * np.log(std + c))))
    return out


def sample_mistakes(mu: np.ndarray, p: np.ndarray, eps: np.ndarray, param: str) -> list[Mistake]:
    """Wrong samples z that real code produces, with their description."""
    std = gaussian.std_from(p, param)
    via = {
        "logvar": " (exp(logvar) instead of exp(logvar / 2))",
        "log_std": " (exp(2 log_std) instead of exp(log_std))",
        "std": " (std² instead of std)",
        "var": " (var instead of √var)",
    }[param]
    return [
        (f"uses σ² where σ is due{via}", lambda: mu + std * std * eps),
        ("uses √σ where σ is due", lambda: mu + np.sqrt(std) * eps),
        *_misreadings(param, lambda o: gaussian.sample_diag(mu, p, eps, o)),
        ("wrong sign of the noise term (μ − σ·ε)", lambda: mu - std * eps),
        *(
            (
                f"adds {c:g} under the square root (√(σ² + {c:g})): wrong where σ² is below "
                f"~{c * 1e3:g}",
                lambda c=c: mu + np.sqrt(std * std + c) * eps,
            )
            for c in _EPSILONS
        ),
        ("ignores mu (z = σ·ε)", lambda: std * eps),
        ("ignores the variance (z = μ + ε)", lambda: mu + eps),
        ("returns μ, not a sample", lambda: mu + 0.0 * eps),
        ("scales μ too (z = σ·(μ + ε))", lambda: std * (mu + eps)),
    ]


def match(cases: list[tuple]) -> str | None:
    """The first mistake whose values equal ``got`` on every case ``(got, mistakes, ref, atol)``.

    The mistake's values must be finite wherever IMPL's are, equal them to a relative 1e-6 (plus
    ``atol``, for the cancellation of a naive float64 formula), and differ from the reference
    in some case (else the cases cannot tell them apart).
    """
    texts = [text for text, _ in cases[0][1]]
    for i, text in enumerate(texts):
        verdicts = [_matches(got, mistakes[i][1], ref, atol) for got, mistakes, ref, atol in cases]
        if all(close for close, _ in verdicts) and any(differs for _, differs in verdicts):
            return text
    return None


def _matches(
    got: np.ndarray, value: Callable[[], np.ndarray], ref: np.ndarray, atol: np.ndarray
) -> tuple[bool, bool]:
    """(got equals the mistake's values, the mistake's values differ from the reference)."""
    got = np.asarray(got, dtype=np.float64)
    try:
        with np.errstate(all="ignore"):
            alt = np.asarray(value(), dtype=np.float64)
    except (ValueError, ArithmeticError):  # e.g. a negative value read as a standard deviation
        return False, False  # a mistake that cannot be made on these inputs is not this one
    if alt.shape != got.shape or not np.isfinite(got).all() or not np.isfinite(alt).all():
        return False, False
    scale = np.maximum(np.abs(alt), np.abs(ref)) + 1e-300
    close = np.abs(got - alt) <= _MATCH_RTOL * scale + atol
    differs = np.abs(alt - ref) > _MATCH_RTOL * scale + atol
    return bool(close.all()), bool(differs.any())


def describe_error(
    got: np.ndarray,
    ref: np.ndarray,
    dtype: str,
    given: str = "float64",
    shown: tuple[np.ndarray, np.ndarray] | None = None,
) -> str:
    """Words for an output that matches no catalog entry: factor, sign, or error level.

    ``got``/``ref`` are a whole failing case (a constant factor is claimed only when several
    reference values share it); ``dtype`` is what IMPL returned, ``given`` the precision it was
    given and is judged at; ``shown`` the (got, expected) of the counterexample the report
    shows, whose relative error is quoted.
    """
    got, ref = np.asarray(got, np.float64).ravel(), np.asarray(ref, np.float64).ravel()
    bad = ~np.isfinite(got)
    # a non-finite value elsewhere in the case is not what a finite counterexample shows
    finite_shown = shown is not None and bool(np.isfinite(np.asarray(shown[0], float)).all())
    if bad.any() and not finite_shown:
        return f"returns {got[bad].flat[0]} for finite inputs"
    nz = np.abs(ref) > 0
    if np.unique(ref[nz]).size >= 2:
        ratio = got[nz] / ref[nz]
        r = float(np.median(ratio))
        if np.allclose(ratio, r, rtol=1e-6) and abs(r - 1.0) > 1e-6:
            return "wrong sign" if abs(r + 1.0) < 1e-6 else f"off by a factor {r:.6g}"
    if shown is not None:
        got, ref = (np.asarray(a, np.float64).ravel() for a in shown)
    with np.errstate(all="ignore"):
        rel = float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300)))
    where = f" (relative error {rel:.1e}, far above {given} rounding)"
    if dtype in ("float16", "bfloat16"):
        return f"computed in {dtype}{where}"
    if given == "float32" and 1e-4 < rel < 1e-1:
        return f"half precision (float16 or bfloat16) somewhere?{where}"
    if given == "float64" and dtype == "float32":
        return f"computed in float32{where}"
    if given == "float64" and 1e-9 < rel < 1e-5:
        return f"the rounding level of float32, not float64: single precision somewhere?{where}"
    if 1e-5 <= rel < 1e-2:
        return f"an approximation, or noise?{where}"
    return f"differs from the reference{where}"


def gradient_error_words(got: np.ndarray, want: np.ndarray) -> str:
    """Words for a wrong gradient: '' or a hint when its error is at half-precision level."""
    with np.errstate(all="ignore"):
        rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)
    if np.nanmax(rel) <= 2.0**-7:
        return (
            f" (relative error {np.nanmax(rel):.1e}: half precision, float16 or bfloat16, inside?)"
        )
    return ""


def describe_shape(
    got: np.ndarray,
    due: tuple[int, ...],
    batch: int,
    per_term: np.ndarray | None,
    per_example: np.ndarray,
) -> str:
    """Words for an output of the wrong shape (sum over the batch, kept axis, …)."""
    shape = tuple(got.shape)

    def near(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-12))

    if due == (batch,) and shape == ():
        if batch == 1:
            return "returns a scalar for batch 1 (squeezes the batch axis?); shape (1,) is due"
        if near(got, per_example.sum()):
            return "returns the sum over the batch instead of per-example values"
        if near(got, per_example.mean()):
            return "returns the mean over the batch instead of per-example values"
        return f"returns a scalar where per-example values of shape ({batch},) are due"
    if due == () and shape == (batch,) and batch > 1:
        return "returns per-example values where their sum or mean (--reduction) is due"
    if per_term is not None:
        if near(got, per_term.sum(axis=0)):
            return "sums over the batch axis instead of the latent axis"
        if near(got, per_term):
            return "returns the per-dimension terms, not their sum over the latent (last) axis"
        if due and shape == (*due, 1):
            return f"returns shape {shape} (keepdims); shape {due} is due"
    return f"wrong shape {shape} for batch {batch} (shape {due} is due)"
