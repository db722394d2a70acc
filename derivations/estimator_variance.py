"""Per-sample variances of the score-function and pathwise estimators, and when each wins.

The source notebook (000) compares, for q = N(θ, 1) and f(z) = z², the score-function
estimator z²(z − θ) with the pathwise estimator 2(θ + ε); the Q&A (002) doubts that the pathwise
estimator has the lower variance for every f. This derivation settles both:

- f = z²: Var(score, μ) = μ⁴/σ² + 14μ² + 15σ² (θ⁴ + 14θ² + 15 at σ = 1; 87 at θ = 2),
  Var(pathwise, μ) = 4σ²; the difference μ⁴/σ² + 14μ² + 11σ² is a sum of non-negative terms
  plus 11σ² > 0, so the pathwise estimator wins for every θ — also against the score estimator
  with the optimal constant baseline b* = θ² + 3, whose variance is 8θ² + 6.
- any quadratic f = a₂z² + a₁z + a₀ (Xu et al. 2019, 1-D): Var(score) − Var(pathwise) is a sum
  of squares with positive weights, in μ and in σ: the pathwise estimator never loses.
- f = exp(−k z²) at μ = 0: Var(pathwise) − Var(score) = (4k²σ⁴ − 1)/(σ²(1 + 4kσ²)^{3/2}),
  so the pathwise estimator has the LARGER variance exactly when k > 1/(2σ²).
- f = cos(k z): Var(pathwise, μ) − Var(score, μ) =
  [(u² − 1) + (3u² − 1) cos(2kμ) e^{−2u²}]/(2σ²) with u = kσ: the pathwise estimator loses at
  every μ once u > u_hi ≈ 1.109 and wins at every μ while u < u_lo ≈ 0.851 (roots by mpmath,
  bracketed by exact sign evaluations: `cos_thresholds()` in
  `derivations/estimator_variance.py`).
- f = 1[z > 0]: the pathwise estimator is 0 (f' = 0 a.e.) but ∂/∂μ E f = φ(μ/σ)/σ ≠ 0.
"""

from __future__ import annotations

import functools

import mpmath
import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

from ._common import eps, expect, gaussian_terms, mu, sigma

__all__ = [
    "ORDER",
    "bump_threshold",
    "cos_threshold_function",
    "cos_thresholds",
    "derivation",
    "quadratic_sos",
    "x_squared_variances",
]

ORDER = 5
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 0.85

theta = sp.Symbol("theta", real=True)
b = sp.Symbol("b", real=True)
k = sp.Symbol("k", positive=True)
u = sp.Symbol("u", positive=True)
_z = mu + sigma * eps


def _var(sample: sp.Expr) -> sp.Expr:
    """Var[sample] = E[sample²] − E[sample]² with unevaluated expectations over ε."""
    return expect(sample**2) - expect(sample) ** 2


def _trig(e: sp.Expr) -> sp.Expr:
    return gaussian_terms(e.rewrite(sp.exp))


def x_squared_variances() -> dict[str, sp.Expr]:
    """Exact per-sample variances for f = z², q = N(μ, σ²), per estimator and component."""
    return {
        "score_mu": mu**4 / sigma**2 + 14 * mu**2 + 15 * sigma**2,
        "score_sigma": 2 * mu**4 / sigma**2 + 60 * mu**2 + 74 * sigma**2,
        "pathwise_mu": 4 * sigma**2,
        "pathwise_sigma": 4 * mu**2 + 8 * sigma**2,
        "baseline_mu": 8 * theta**2 + 6,  # optimal constant baseline, σ = 1, μ = θ
    }


def bump_threshold() -> sp.Expr:
    """k above which the pathwise estimator of E exp(−k z²) at μ = 0 has the larger variance."""
    return 1 / (2 * sigma**2)


def cos_threshold_function() -> tuple[sp.Expr, sp.Expr]:
    """(A(u), C(u)) with 2σ² (Var pathwise − Var score) = A + C cos(2kμ) for f = cos(kz),
    μ-component, u = kσ: A = u² − 1, C = (3u² − 1) e^{−2u²}."""
    return u**2 - 1, (3 * u**2 - 1) * sp.exp(-2 * u**2)


@functools.cache
def cos_thresholds(digits: int = 30) -> tuple[float, float]:
    """(u_lo, u_hi) for f = cos(kz), u = kσ: for u < u_lo the pathwise μ-variance is lower at
    every μ; for u > u_hi it is higher at every μ.

    u_lo solves (u² − 1) + (3u² − 1)e^{−2u²} = 0 (worst μ for the pathwise side: cos 2kμ = 1),
    u_hi solves (u² − 1) − (3u² − 1)e^{−2u²} = 0 (cos 2kμ = −1). Each root is found by mpmath
    (``findroot``, bisection-safe Anderson method) at ``digits`` digits and certified by an
    exact sign change of the SymPy expression at rationals 1e-12 either side.
    """
    a, c = cos_threshold_function()
    roots = []
    for sign, bracket in ((1, (0.6, 0.99)), (-1, (1.0, 1.5))):
        h = a + sign * c
        fn = sp.lambdify(u, h, "mpmath")
        with mpmath.workdps(digits):
            root = mpmath.findroot(fn, bracket, solver="anderson")
        r = sp.Rational(str(mpmath.nstr(root, 20)))
        lo, hi = r - sp.Rational(1, 10**12), r + sp.Rational(1, 10**12)
        s_lo, s_hi = sp.sign(h.subs(u, lo).evalf(40)), sp.sign(h.subs(u, hi).evalf(40))
        if s_lo * s_hi >= 0:  # pragma: no cover - would mean the root is wrong
            raise ArithmeticError(f"no sign change of {h} around {r}")
        roots.append(float(root))
    return roots[0], roots[1]


def _x_squared_chains() -> tuple[Chain, ...]:
    v = x_squared_variances()
    f = _z**2
    score_mu = _var(f * eps / sigma)
    return (
        Chain(
            "Score-function estimator for f = z², μ-component",
            score_mu,
            (
                Step(
                    v["score_mu"], "Gaussian moments E ε^{2j} = (2j − 1)!!", prepare=gaussian_terms
                ),
            ),
            "One sample is f(z) ε/σ with z = μ + σε (notes eq. (16)); the notebook's "
            "z²(z − θ) is this at σ = 1.",
        ),
        Chain(
            "Score-function estimator for f = z², σ-component",
            _var(f * (eps**2 - 1) / sigma),
            (Step(v["score_sigma"], "Gaussian moments", prepare=gaussian_terms),),
        ),
        Chain(
            "Pathwise estimator for f = z², both components",
            _var(2 * _z) + _var(2 * _z * eps),
            (
                Step(
                    v["pathwise_mu"] + v["pathwise_sigma"],
                    "Gaussian moments",
                    prepare=gaussian_terms,
                ),
            ),
            "One sample is f'(z)·(1, ε) = 2z·(1, ε) (notes eq. (42)-(43)); the μ-component "
            "has variance 4σ² and the σ-component 4μ² + 8σ².",
        ),
        Chain(
            "The notebook's case q = N(θ, 1): the pathwise estimator wins for every θ",
            _var((theta + eps) ** 2 * eps) - _var(2 * (theta + eps)),
            (
                Step(
                    theta**4 + 14 * theta**2 + 11,
                    "Gaussian moments (chains 1 and 3 at μ = θ, σ = 1)",
                    prepare=gaussian_terms,
                ),
            ),
            "θ⁴ + 14θ² + 11 is a sum of non-negative terms plus 11, hence > 0 for every real θ "
            "(SymPy's assumptions confirm `is_positive`); at θ = 2 the variances are 87 and 4.",
        ),
        Chain(
            "Score-function estimator with a constant baseline b, q = N(θ, 1)",
            _var(((theta + eps) ** 2 - b) * eps),
            (
                Step(
                    theta**4 + 14 * theta**2 + 15 - 2 * b * (theta**2 + 3) + b**2,
                    "Gaussian moments",
                    prepare=gaussian_terms,
                ),
                Step((b - theta**2 - 3) ** 2 + 8 * theta**2 + 6, "complete the square in b"),
            ),
            "Subtracting b keeps the estimator unbiased (E[ε] = 0). The variance is smallest at "
            "b* = θ² + 3 (not E f = θ² + 1), where it is 8θ² + 6 > 4: the pathwise estimator "
            "still wins.",
        ),
    )


#: Coefficients of the quadratic f(z) = a₂z² + a₁z + a₀ of Xu et al. (2019).
_a = sp.symbols("a_0:3", real=True)


def quadratic_sos() -> dict:
    """Var(score) − Var(pathwise) for a quadratic f, per component, as a sum of squares with
    positive weights (Xu et al. 2019, 1-D): with f(μ) = a₂μ² + a₁μ + a₀ and f′(μ) = 2a₂μ + a₁,

    - μ: (f(μ) + 3a₂σ²)²/σ² + 2 f′(μ)² + 2a₂²σ²,
    - σ: 2(f(μ) + 5a₂σ²)²/σ² + 9 f′(μ)² + 16a₂²σ².
    """
    f_mu = _a[2] * mu**2 + _a[1] * mu + _a[0]
    df_mu = 2 * _a[2] * mu + _a[1]
    return {
        mu: (f_mu + 3 * _a[2] * sigma**2) ** 2 / sigma**2
        + 2 * df_mu**2
        + 2 * _a[2] ** 2 * sigma**2,
        sigma: 2 * (f_mu + 5 * _a[2] * sigma**2) ** 2 / sigma**2
        + 9 * df_mu**2
        + 16 * _a[2] ** 2 * sigma**2,
    }


def _quadratic_chains() -> tuple[Chain, ...]:
    f = _a[2] * _z**2 + _a[1] * _z + _a[0]
    df = 2 * _a[2] * _z + _a[1]
    score = {mu: f * eps / sigma, sigma: f * (eps**2 - 1) / sigma}
    pathwise = {mu: df, sigma: df * eps}
    sos = quadratic_sos()
    chains = []
    for p, name in ((mu, "μ"), (sigma, "σ")):
        gap = _var(score[p]) - _var(pathwise[p])
        chains.append(
            Chain(
                f"Any quadratic f: Var score − Var pathwise is a sum of squares, {name}-component",
                gap,
                (
                    Step(
                        sos[p],
                        "Gaussian moments, then regroup as squares (f(μ)² completed with the "
                        "a₂σ² terms)",
                        prepare=gaussian_terms,
                    ),
                ),
                "f(z) = a₂z² + a₁z + a₀ with symbolic real coefficients, q = N(μ, σ²) (Xu et al. "
                "2019, 1-D case). The last line is a sum of squares with positive weights, so the "
                "pathwise estimator never has the larger variance for a quadratic f; equality "
                "would need a₂ = 0, f′(μ) = 0 and f(μ) = 0, i.e. f ≡ 0. (That every term is "
                "≥ 0 is confirmed by SymPy's assumptions in tests/test_derivations.py.)",
            )
        )
    return tuple(chains)


def _counterexample_chains() -> tuple[Chain, ...]:
    bump = sp.exp(-k * _z**2)
    at0 = {mu: 0}
    cos_diff = _var(-k * sp.sin(k * _z)) - _var(sp.cos(k * _z) * eps / sigma)
    ua, uc = cos_threshold_function()
    step_grad = sp.Derivative(
        sp.Integral(sp.exp(-(eps**2) / 2) / sp.sqrt(2 * sp.pi), (eps, -mu / sigma, sp.oo)), mu
    )
    return (
        Chain(
            "Gaussian bump f = exp(−k z²) at μ = 0: Var pathwise − Var score",
            (_var(-2 * k * _z * bump) - _var(bump * eps / sigma)).subs(at0),
            (
                Step(
                    (4 * k**2 * sigma**4 - 1)
                    / (sigma**2 * (1 + 4 * k * sigma**2) ** sp.Rational(3, 2)),
                    "complete the square: E[ε² e^{−aε²}] = (1 + 2a)^{−3/2}",
                    prepare=gaussian_terms,
                ),
            ),
            "The sign is that of 4k²σ⁴ − 1: the pathwise estimator has the larger variance "
            "exactly when k > 1/(2σ²). The Q&A's doubt is justified.",
        ),
        Chain(
            "f = cos(k z): Var pathwise − Var score, μ-component",
            cos_diff,
            (
                Step(
                    (ua + uc * sp.cos(2 * k * mu)).subs(u, k * sigma) / (2 * sigma**2),
                    "Gaussian characteristic function E e^{itε} = e^{−t²/2} and its derivatives",
                    prepare=_trig,
                ),
            ),
            "With u = kσ the bracket is (u² − 1) + (3u² − 1) cos(2kμ) e^{−2u²}: positive at "
            "every μ for u > u_hi ≈ 1.109, negative at every μ for u < u_lo ≈ 0.851.",
        ),
        Chain(
            "f = 1[z > 0]: the true μ-gradient",
            step_grad,
            (
                Step(
                    sp.exp(-(mu**2) / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma),
                    "fundamental theorem of calculus: E 1[z > 0] = P(ε > −μ/σ)",
                ),
            ),
            "The pathwise estimator f'(z) = 0 (a.e.) has expectation 0 ≠ φ(μ/σ)/σ: "
            "differentiating under the integral fails for a discontinuous f. The score-function "
            "estimator 1[z > 0] ε/σ is unbiased.",
        ),
    )


def derivation() -> Derivation:
    return Derivation(
        slug="estimator-variance",
        title="Variance of the score-function and pathwise estimators",
        summary="Var of both estimators for f = z² (notebook), and where the pathwise one loses",
        chains=_x_squared_chains() + _quadratic_chains() + _counterexample_chains(),
        scope="f = z², any quadratic f (symbolic coefficients, 1-D), and three named f; "
        "q = N(μ, σ²) in one dimension",
        text=__doc__.split("\n\n", 1)[1],
        references=(
            "The notebook on the reparameterization trick (source 000): ∇_θ E_q[x²] for "
            "q = N(θ, 1), and the variance of both estimators over N = 10 … 100 000",
            "The Q&A on why the reparameterization trick has lower variance (source 002): "
            "'I doubt that this result would hold for all functions r'",
            "Xu, M., Quiroz, M., Kohn, R. & Sisson, S. A. (2019). Variance reduction properties "
            "of the reparameterization trick. AISTATS (quadratic f, Gaussian q).",
            "Mohamed, Rosca, Figurnov & Mnih (2020), Monte Carlo Gradient Estimation in Machine "
            "Learning, JMLR 21, Sec. 3-5 (variance comparisons, counterexamples)",
        ),
    )
