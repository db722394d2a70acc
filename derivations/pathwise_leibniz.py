"""The pathwise (reparameterization) gradient ∇φ E_{p(ε)}[f(g_φ(ε))] = E_{p(ε)}[∇φ f(g_φ(ε))].

Notes eq. (28)-(32), (39)-(41); Kingma & Welling 2014, Sec. 2.3-2.4, eq. (4)-(5). With
``z = g_φ(ε) = μ + σε`` the per-sample gradients are ``f′(z)`` in μ and ``ε f′(z)`` in σ. Stein's
lemma ``E[f(z)(z − μ)/σ²] = E[f′(z)]`` (Stein 1981) and its σ analogue show that these have the
same expectation as the score-function weights of :mod:`score_identity`.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step
from rtverify.rules import integration_by_parts, leibniz, substitution

from ._common import eps, expect, family, mu, normal_density, phi, sigma
from .score_identity import SCORE

__all__ = ["ORDER", "PATHWISE", "derivation"]

ORDER = 2
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 1.4

_z = sp.Symbol("z", real=True)
_f = sp.Function("f")
_NAME = {mu: "μ", sigma: "σ"}
#: ∂z/∂θ for z = g_φ(ε) = μ + σε: the factor multiplying f′(z) in the pathwise gradient.
PATHWISE: dict[sp.Symbol, sp.Expr] = {mu: sp.Integer(1), sigma: eps}

_SUPPORT = "support of p(ε) = ℝ does not depend on φ = (μ, σ) (limits checked)"
_DOMINATION = (
    "domination: |f′(μ + σε)| · |∂z/∂{p}| φ(ε) ≤ g(ε) with ∫ g < ∞ for {p} near its value; "
    "f absolutely continuous (differentiable is neither needed nor enough: f′ must be locally "
    "integrable)"
)


def _df(z: sp.Expr) -> sp.Expr:
    """f′ evaluated at z, for the undefined f."""
    return sp.Subs(sp.Derivative(_f(_z), _z), _z, z)


def _reparameterization_chain() -> Chain:
    return Chain(
        "Reparameterization: an expectation over q is an expectation over ε",
        sp.Integral(_f(_z) * normal_density(_z, mu, sigma), (_z, -sp.oo, sp.oo)),
        (
            Step(
                expect(_f(mu + sigma * eps)),
                "substitute z = g_φ(ε) = μ + σε, dz = σ dε (notes eq. (28), (40))",
                rule=substitution(_z, eps, mu + sigma * eps),
            ),
        ),
    )


def _general_chain(p: sp.Symbol) -> Chain:
    n = _NAME[p]
    return Chain(
        f"Pathwise gradient in {n} for a general f (under stated hypotheses)",
        sp.Derivative(expect(_f(mu + sigma * eps)), p),
        (
            Step(
                expect(PATHWISE[p] * _df(mu + sigma * eps)),
                "Leibniz rule (notes eq. (30)-(31)), then the chain rule ∂f(z)/∂"
                + n
                + " = f′(z) ∂z/∂"
                + n,
                (_SUPPORT, _DOMINATION.format(p=n)),
                rule=leibniz(p),
            ),
        ),
    )


def _family_chain(p: sp.Symbol, test) -> Chain:
    z = mu + sigma * eps
    return Chain(
        f"f(x) = {sp.sstr(test.f.expr)}: pathwise ∂/∂{_NAME[p]}",
        sp.Derivative(expect(test.f(z)), p),
        (
            Step(
                expect(
                    PATHWISE[p]
                    * test.f.expr.diff(sp.Symbol("x", real=True)).subs(sp.Symbol("x", real=True), z)
                ),
                "Leibniz rule and chain rule",
                (_SUPPORT, _DOMINATION.format(p=_NAME[p])),
                rule=leibniz(p),
                prepare=test.prepare,
            ),
            Step(
                sp.diff(test.mean, p),
                "Gaussian expectation in closed form",
                prepare=test.prepare,
            ),
        ),
    )


#: v with v′ = (score weight) · φ(ε): ε φ = −φ′ and (ε² − 1) φ = (−ε φ)′.
_STEIN_V = {mu: -phi(eps) / sigma, sigma: -eps * phi(eps) / sigma}
_STEIN_V_WORDS = {mu: "−φ(ε)/σ", sigma: "−εφ(ε)/σ"}


def _stein_general_chain(p: sp.Symbol) -> Chain:
    """Stein's lemma for a general f, by integration by parts against φ (hypotheses stated)."""
    n = _NAME[p]
    z = mu + sigma * eps
    return Chain(
        f"Stein's lemma in {n} for a general f (integration by parts, under stated hypotheses)",
        expect(_f(z) * SCORE[p]),
        (
            Step(
                expect(PATHWISE[p] * _df(z)),
                f"integration by parts with u = f(μ + σε), v = {_STEIN_V_WORDS[p]}: "
                "the score weight times φ is v′",
                (
                    "u v → 0 at ±∞, i.e. f(μ + σε) v(ε) → 0 as |ε| → ∞",
                    "u v′ and u′ v integrable over ℝ (a growth bound on f alone is not enough: "
                    "f = e^{z²/2}/(1 + z²) grows slower than 1/|v| yet E|f(z) ε| = ∞)",
                ),
                rule=integration_by_parts(eps, _f(z), _STEIN_V[p]),
            ),
        ),
    )


def _stein_chain(p: sp.Symbol, test) -> Chain:
    x = sp.Symbol("x", real=True)
    z = mu + sigma * eps
    df = test.f.expr.diff(x).subs(x, z)
    which = "Stein's lemma" if p == mu else "Stein's lemma, σ analogue"
    return Chain(
        f"{which} for f(x) = {sp.sstr(test.f.expr)}",
        expect(test.f(z) * SCORE[p]),
        (
            Step(
                expect(PATHWISE[p] * df),
                "score-function and pathwise weights have the same expectation",
                ("integration by parts against φ: f(z) φ(ε) → 0 as |ε| → ∞",),
                prepare=test.prepare,
            ),
        ),
    )


_TEXT = r"""
The *pathwise* or *reparameterization* gradient writes the sample as a differentiable function
of parameter-free noise, $z = g_\phi(\epsilon) = \mu + \sigma\epsilon$ with
$\epsilon \sim \mathcal{N}(0, 1)$, so that

$$\nabla_\phi \mathbb{E}_{q_\phi}[f(z)] = \nabla_\phi \mathbb{E}_{p(\epsilon)}[f(g_\phi(\epsilon))]
  = \mathbb{E}_{p(\epsilon)}[\nabla_\phi f(g_\phi(\epsilon))].$$

The first equality is a change of variables (proved by a rule that leaves nothing unchecked:
an affine map with positive slope maps ℝ onto ℝ). The second moves the gradient under the
integral (Leibniz rule). For a general f it *holds under stated hypotheses*: checked by machine
are that the support of p(ε) -- here the whole real line -- does not depend on φ (no integration
limit contains μ or σ), that the right integrand is the φ-derivative of the left one, and that
the integrand is continuous in φ wherever SymPy can see it; stated, not checked, are that f is
absolutely continuous and that the derivative of the integrand is dominated by an integrable
function uniformly near φ. For each f of the test family the step is *proved*: both sides are
evaluated in closed form (the left one as the derivative of the integral's closed form, never by
differentiating under the integral sign). Unlike the score-function identity, f must be
continuous: for a step function, or for f(z) = atan(1/z), which jumps at 0, the pathwise value
misses a jump term (the engine rejects the step; see tests/test_soundness.py).

By the chain rule the per-sample gradients are $f'(z)$ in μ and $\epsilon f'(z)$ in σ. Stein's
lemma, $\mathbb{E}[f(z)(z-\mu)/\sigma^2] = \mathbb{E}[f'(z)]$, and its σ analogue
$\mathbb{E}[f(z)((z-\mu)^2-\sigma^2)/\sigma^3] = \mathbb{E}[f'(z)(z-\mu)/\sigma]$ say that these
have the same expectation as the score-function weights: both estimators are unbiased for the
same gradient, and differ only in variance. For a general f it holds under stated hypotheses,
by integration by parts against φ (checked by machine: the score weight times φ(ε) is v′ with
v = −φ(ε)/σ in μ and v = −εφ(ε)/σ in σ, and v → 0 at ±∞; stated: u v → 0 at ±∞ and the
integrability of u v′ and u′ v -- a growth bound on f alone is not enough), and it is proved in
closed form on the test family (quartic with symbolic coefficients, exp(a x), sin(k x),
cos(k x)).
"""


def derivation() -> Derivation:
    """The pathwise gradient and Stein's lemma for z = μ + σε (notes eq. (28)-(32), (39)-(41))."""
    chains = [_reparameterization_chain(), _general_chain(mu), _general_chain(sigma)]
    chains += [_family_chain(p, test) for test in family() for p in (mu, sigma)]
    chains += [_stein_general_chain(p) for p in (mu, sigma)]
    chains += [_stein_chain(p, test) for test in family() for p in (mu, sigma)]
    return Derivation(
        slug="pathwise-leibniz",
        title="Pathwise gradient (reparameterization trick)",
        summary="∇φ E_p(ε)[f(g_φ(ε))] = E_p(ε)[∇φ f(g_φ(ε))] for z = μ + σε; Stein's lemma",
        chains=tuple(chains),
        scope="any f under stated hypotheses (Leibniz, integration by parts); proved in closed "
        "form for the test family (quartic, exp, sin, cos)",
        text=_TEXT,
        references=(
            "Kingma, D. P. & Welling, M. (2014). Auto-Encoding Variational Bayes. ICLR, "
            "Sec. 2.3, eq. (4)-(5) (z = g_φ(ε, x) and the Monte Carlo estimate), Sec. 2.4 "
            "(the reparameterization trick).",
            "Stein, C. M. (1981). Estimation of the mean of a multivariate normal distribution. "
            "Annals of Statistics 9(6), 1135-1151 (Lemma 1: E[f(z)(z − μ)] = σ² E[f′(z)]).",
            "M. Bahng, Variational Autoencoders (lecture notes, Spring 2023), "
            "eq. (28)-(32) (Theorem 1.2, Leibniz step) "
            "and eq. (39)-(41) (worked example x = φ + ε).",
        ),
    )
