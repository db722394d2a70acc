"""Bonnet's and Price's theorems for a Gaussian expectation E[f(z)], z ∼ N(μ, s), s = σ².

- Bonnet (1964): ∂/∂μ E[f(z)] = E[f′(z)];
- Price (1958): ∂/∂s E[f(z)] = ½ E[f″(z)] (the variance, not the standard deviation).

Both by differentiating E_ε[f(μ + √s ε)] under the integral (Leibniz rule, limits checked) and,
for Price, one integration by parts against φ (Stein's lemma applied to f′). In D dimensions the
same computation per entry gives ∇_μ E f = E ∇f and ∇_Σ E f = ½ E ∇²f (Opper & Archambeau 2009);
the checks here are one-dimensional (D = 2: ``price_multivariate``).
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step
from rtverify.rules import integration_by_parts, leibniz

from ._common import eps, expect, family, mu, phi, sigma

__all__ = ["ORDER", "derivation"]

ORDER = 9

#: The variance s = σ² of q = N(μ, s), the parameter of Price's theorem.
s = sp.Symbol("s", positive=True)
_z = sp.Symbol("z", real=True)
_f = sp.Function("f")
_x = sp.Symbol("x", real=True)
_DOMINATION = "domination: |f′(μ + √s ε)| |∂z/∂{p}| φ(ε) ≤ g(ε) with ∫ g < ∞ for {p} near its value"


def _d(order: int, at: sp.Expr) -> sp.Expr:
    """f^(order) evaluated at ``at``, for the undefined f."""
    return sp.Subs(sp.Derivative(_f(_z), (_z, order)), _z, at)


def _bonnet_chain() -> Chain:
    z = mu + sp.sqrt(s) * eps
    return Chain(
        "Bonnet: ∂/∂μ E[f(z)] = E[f′(z)], any differentiable f",
        sp.Derivative(expect(_f(z)), mu),
        (
            Step(
                expect(_d(1, z)),
                "Leibniz rule; ∂z/∂μ = 1",
                ("support of ε independent of μ (checked)", _DOMINATION.format(p="μ")),
                rule=leibniz(mu),
            ),
        ),
    )


def _price_chain() -> Chain:
    z = mu + sp.sqrt(s) * eps
    return Chain(
        "Price: ∂/∂s E[f(z)] = ½ E[f″(z)], any twice differentiable f",
        sp.Derivative(expect(_f(z)), s),
        (
            Step(
                expect(_d(1, z) * eps / (2 * sp.sqrt(s))),
                "Leibniz rule; ∂z/∂s = ε/(2√s)",
                ("support of ε independent of s (checked)", _DOMINATION.format(p="s")),
                rule=leibniz(s),
            ),
            Step(
                expect(_d(2, z) / 2),
                "integration by parts with u = f′(μ + √s ε), v = −φ(ε)/(2√s): "
                "εφ(ε)/(2√s) = v′ and −u′v = f″(z) φ(ε)/2",
                ("f′(μ + √s ε) grows slower than 1/φ(ε) (e.g. polynomially), so u v → 0",),
                rule=integration_by_parts(eps, _d(1, z), -phi(eps) / (2 * sp.sqrt(s))),
            ),
        ),
    )


def _family_chains(test) -> list[Chain]:
    z = mu + sp.sqrt(s) * eps
    mean = test.mean.subs(sigma, sp.sqrt(s))
    f1 = test.f.expr.diff(_x)
    f2 = f1.diff(_x)
    return [
        Chain(
            f"Bonnet for f(x) = {sp.sstr(test.f.expr)}",
            sp.diff(mean, mu),
            (Step(expect(f1.subs(_x, z)), "E[f′(z)] in closed form", prepare=test.prepare),),
        ),
        Chain(
            f"Price for f(x) = {sp.sstr(test.f.expr)}",
            sp.diff(mean, s),
            (Step(expect(f2.subs(_x, z) / 2), "½ E[f″(z)] in closed form", prepare=test.prepare),),
        ),
    ]


_TEXT = r"""
For $z \sim \mathcal N(\mu, s)$ the derivatives of $\mathbb E[f(z)]$ with respect to the mean
and the *variance* are expectations of derivatives of f:

$$\frac{\partial}{\partial\mu}\mathbb E[f(z)] = \mathbb E[f'(z)] \quad\text{(Bonnet)},\qquad
\frac{\partial}{\partial s}\mathbb E[f(z)] = \tfrac12\,\mathbb E[f''(z)] \quad\text{(Price)}.$$

Writing $z = \mu + \sqrt s\,\epsilon$, Bonnet is the pathwise gradient; Price follows from the
pathwise gradient in s, $\mathbb E[f'(z)\,\epsilon/(2\sqrt s)]$, and one integration by parts
against the standard normal density (Stein's lemma for $f'$). Both are checked for any
differentiable f (steps about the undefined f hold under the stated growth and domination
conditions) and, in closed form, for a quartic with symbolic coefficients, $e^{ax}$, $\sin kx$
and $\cos kx$. The multivariate forms $\nabla_\mu \mathbb E f = \mathbb E\nabla f$,
$\nabla_\Sigma \mathbb E f = \tfrac12\mathbb E\nabla^2 f$ are checked at D = 2 on the
page [Bonnet's and Price's theorems in two dimensions](price-multivariate.md).
"""


def derivation() -> Derivation:
    """Bonnet's and Price's theorems in one dimension."""
    chains = [_bonnet_chain(), _price_chain()]
    for test in family():
        chains += _family_chains(test)
    return Derivation(
        slug="price-theorem",
        title="Bonnet's and Price's theorems",
        summary="∂μ E f = E f′, ∂_{σ²} E f = ½ E f″ for z ∼ N(μ, σ²) (one dimension)",
        chains=tuple(chains),
        text=_TEXT,
        scope=(
            "one dimension: any (twice) differentiable f under stated hypotheses; closed forms "
            "for a quartic, exp, sin, cos; the multivariate forms: D = 2 on their own page"
        ),
        references=(
            "Bonnet, G. (1964). Transformations des signaux aléatoires à travers les systèmes "
            "non linéaires sans mémoire. Annales des Télécommunications 19, 203-220.",
            "Price, R. (1958). A useful theorem for nonlinear devices having Gaussian inputs. "
            "IRE Transactions on Information Theory 4(2), 69-72.",
            "Opper, M. & Archambeau, C. (2009). The variational Gaussian approximation "
            "revisited. Neural Computation 21(3), 786-792 (the multivariate forms).",
        ),
    )
