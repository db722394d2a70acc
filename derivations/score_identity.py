"""The score-function identity ∇θ E_q[f] = E_q[f ∇θ log q] for q = N(μ, σ²).

Notes eq. (27) and (34)-(38); Williams 1992 (REINFORCE); Kingma & Welling 2014, eq. (3).
For the Gaussian the score is ``∂μ log q = (z − μ)/σ²`` and ``∂σ log q = ((z − μ)² − σ²)/σ³``;
with ``z = μ + σε`` these are ``ε/σ`` and ``(ε² − 1)/σ``, the per-sample weights of the
score-function estimator.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step
from rtverify.rules import leibniz, pointwise, substitution

from ._common import eps, expect, family, mu, normal_density, sigma

__all__ = ["ORDER", "SCORE", "derivation"]

ORDER = 1
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 1.2

#: The score ∂θ log q of q = N(μ, σ²) at z = μ + σε, per parameter θ ∈ {μ, σ}.
SCORE: dict[sp.Symbol, sp.Expr] = {mu: eps / sigma, sigma: (eps**2 - 1) / sigma}

_z = sp.Symbol("z", real=True)
_f = sp.Function("f")
_q = normal_density(_z, mu, sigma)
#: The score of q in z, per parameter (before substituting z = μ + σε).
_SCORE_Z = {mu: (_z - mu) / sigma**2, sigma: ((_z - mu) ** 2 - sigma**2) / sigma**3}
_NAME = {mu: "μ", sigma: "σ"}

_DOMINATION = (
    "domination: |f(z) ∂q/∂{p}| ≤ g(z) with ∫ g < ∞ for all {p} near its value "
    "(holds for f of polynomial or exponential growth)"
)


def _z_integral(integrand: sp.Expr) -> sp.Integral:
    return sp.Integral(integrand, (_z, -sp.oo, sp.oo))


def _log_derivative_chain(p: sp.Symbol) -> Chain:
    return Chain(
        f"Log-derivative step ∂q/∂{_NAME[p]} = q ∂log q/∂{_NAME[p]}",
        sp.Derivative(_q, p),
        (
            Step(
                _q * sp.Derivative(sp.log(_q), p),
                "log-derivative: ∂q = q ∂log q",
                ("q > 0 everywhere, so log q is defined",),
            ),
            Step(_q * _SCORE_Z[p], "differentiate the Gaussian log-density"),
        ),
    )


def _general_chain(p: sp.Symbol) -> Chain:
    n = _NAME[p]
    return Chain(
        f"Score identity in {n} for a general f (under stated hypotheses)",
        sp.Derivative(_z_integral(_f(_z) * _q), p),
        (
            Step(
                _z_integral(_f(_z) * sp.Derivative(_q, p)),
                "Leibniz rule: differentiate under the integral",
                ("limits ±∞ do not depend on " + n + " (checked)", _DOMINATION.format(p=n)),
                rule=leibniz(p),
            ),
            Step(
                _z_integral(_f(_z) * _q * sp.Derivative(sp.log(_q), p)),
                "log-derivative: ∂q = q ∂log q (notes eq. (35)-(36))",
                rule=pointwise("log-derivative, pointwise in z"),
            ),
            Step(
                _z_integral(_f(_z) * _q * _SCORE_Z[p]),
                "Gaussian score",
                rule=pointwise("Gaussian score, pointwise in z"),
            ),
            Step(
                expect(_f(mu + sigma * eps) * SCORE[p]),
                "substitute z = μ + σε (dz = σ dε): an expectation over ε ∼ N(0, 1)",
                rule=substitution(_z, eps, mu + sigma * eps),
            ),
        ),
    )


def _family_chain(p: sp.Symbol, test) -> Chain:
    z = mu + sigma * eps
    return Chain(
        f"f(x) = {sp.sstr(test.f.expr)}: ∂/∂{_NAME[p]}",
        sp.Derivative(expect(test.f(z)), p),
        (
            Step(
                sp.diff(test.mean, p),
                "Gaussian expectation in closed form, then differentiate",
                prepare=test.prepare,
            ),
            Step(
                expect(test.f(z) * SCORE[p]),
                "score-function form E[f(z) ∂log q] evaluates to the same closed form",
                prepare=test.prepare,
            ),
        ),
    )


_TEXT = r"""
The *score-function* (log-derivative, REINFORCE) identity moves the gradient of an expectation
onto the density:

$$\nabla_\theta \mathbb{E}_{q_\theta}[f(z)]
  = \mathbb{E}_{q_\theta}[f(z)\,\nabla_\theta \log q_\theta(z)].$$

It needs no derivative of f -- f may be discontinuous -- only that q is differentiable in θ
and positive where it is used. Two things happen: (i) the gradient passes under the integral
(Leibniz rule), which requires the integration limits not to depend on θ (checked by machine
here) and the θ-derivative of the integrand to be dominated by an integrable function (stated,
not machine-checked: for a general f this step *holds under stated hypotheses*); (ii) the
log-derivative step ∇q = q ∇log q, proved below for the Gaussian density.

For q = N(μ, σ²) the score is (z − μ)/σ² in μ and ((z − μ)² − σ²)/σ³ in σ. Every expectation is
written over ε ∼ N(0, 1) with z = μ + σε, so the weights are ε/σ and (ε² − 1)/σ. The identity
is then checked on a family of functions: a quartic with symbolic coefficients, exp(a x),
sin(k x), cos(k x) -- both sides evaluated in closed form by SymPy (for sin and cos after
rewriting into exponentials). Integrals are evaluated term by term (linearity), each
Gaussian factor by completing the square and SymPy's moments ∫ tⁿ e^{−t²/2} dt.
"""


def derivation() -> Derivation:
    """The score-function identity for q = N(μ, σ²), in μ and in σ (notes eq. (27), (34)-(38))."""
    chains = [_log_derivative_chain(mu), _log_derivative_chain(sigma)]
    chains += [_general_chain(mu), _general_chain(sigma)]
    chains += [_family_chain(p, test) for test in family() for p in (mu, sigma)]
    return Derivation(
        slug="score-identity",
        title="Score-function identity",
        summary="∇θ E_q[f] = E_q[f ∇θ log q] for q = N(μ, σ²), in μ and σ",
        chains=tuple(chains),
        scope="any f under stated hypotheses (Leibniz step); proved in closed form for the "
        "test family (quartic, exp, sin, cos)",
        text=_TEXT,
        references=(
            "Williams, R. J. (1992). Simple statistical gradient-following algorithms for "
            "connectionist reinforcement learning. Machine Learning 8, 229-256 (REINFORCE).",
            "Kingma, D. P. & Welling, M. (2014). Auto-Encoding Variational Bayes. ICLR, "
            "Sec. 2.2, eq. (3) (the score-function gradient estimator and its high variance).",
            "M. Bahng, Variational Autoencoders (lecture notes, Spring 2023), "
            "eq. (27) (log-derivative trick) and "
            "eq. (34)-(38) (worked example f(x) = x², q = N(φ, 1)).",
        ),
    )
