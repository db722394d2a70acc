"""Implicit reparameterization in several dimensions: conditional CDFs and the continuity equation.

Through the Rosenblatt transform u_k = F_k(x_k | x_{<k}; θ) (each conditional CDF continuous and
strictly increasing) the implicit gradient solves a triangular system, J dx/dθ = −∂_θu. For the
Dirichlet with stick-breaking order x₁, x₂/(1 − x₁), … it gives the *Beta-marginal* field
(torch's): x₁ moves with its Beta(α₁, α₀ − α₁) implicit gradient, the rest keep their
proportions. A velocity field v is a valid reparameterization gradient iff it solves the
continuity equation ∂_α p + div(p v) = 0, i.e. ∂_α log p + ∇_x log p · v + div v = 0;
proved for any C² CDF in one dimension and checked for the Dirichlet with K = 2 (on the page)
and K = 3 (tests/test_implicit_derivations.py: the display is too wide for a page).
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

from ._hypotheses import vanishing

__all__ = ["ORDER", "derivation", "dirichlet_continuity"]

ORDER = 7

theta = sp.Symbol("theta", real=True)
x = sp.Symbol("x", positive=True)
x1, x2 = sp.symbols("x_1 x_2", positive=True)
alpha1, alpha2, alpha3 = sp.symbols("alpha_1 alpha_2 alpha_3", positive=True)
#: G(x) = ∂_a I_x(a, b), the α₁-derivative of the marginal Beta CDF (an antiderivative).
G = sp.Function("G")


def _one_dimensional_chain() -> Chain:
    F = sp.Function("F")(x, theta)
    p, v = sp.Derivative(F, x), -sp.Derivative(F, theta) / sp.Derivative(F, x)
    return Chain(
        "One dimension, any C² CDF: v = −∂_θF/p solves ∂_θp + ∂_x(p v) = 0",
        sp.Derivative(p, theta) + sp.Derivative(p * v, x),
        (
            Step(
                sp.Integer(0),
                "p v = −∂_θF, and ∂_x∂_θF = ∂_θ∂_xF",
                ("F twice continuously differentiable (mixed partials commute)",),
            ),
        ),
    )


def _rosenblatt_chain() -> Chain:
    # ∂F₂/∂x₂ = p(x₂ | x₁; θ) > 0, ∂F₂/∂x₁ and ∂F₂/∂θ at the sample; v_k = dx_k/dθ
    f2, f1, ft = sp.Symbol("F_x2", positive=True), *sp.symbols("F_x1 F_theta", real=True)
    v1, v2 = sp.symbols("v_1 v_2", real=True)
    total = f2 * v2 + f1 * v1 + ft  # d/dθ F₂(x₂(θ) | x₁(θ); θ) by the chain rule
    return Chain(
        "Rosenblatt, second coordinate: dx₂/dθ from u₂ = F₂(x₂ | x₁; θ) held fixed",
        v2,
        (
            Step(
                v2 - total / f2,
                "add 0: u₂ is held fixed while θ moves, so its total derivative "
                "∂_{x₂}F₂ v₂ + ∂_{x₁}F₂ v₁ + ∂_θF₂ vanishes",
                ("F₂(· | x₁; θ) continuous, strictly increasing and differentiable in (x, θ)",),
                rule=vanishing(total / f2, "d/dθ F₂(x₂(θ) | x₁(θ); θ) = 0"),
            ),
            Step(-(ft + f1 * v1) / f2, "cancel ∂_{x₂}F₂ v₂ (∂_{x₂}F₂ = p(x₂ | x₁) > 0)"),
        ),
        text="F_x2, F_x1, F_θ are the partial derivatives of F₂ at the sample, v_k = dx_k/dθ. "
        "The first coordinate follows the one-dimensional formula with F₁ (chain rule proved "
        "in *implicit-reparameterization*); the second moves with θ directly and through x₁: "
        "J dx/dθ = −∂_θu with J triangular.",
    )


def _stick_breaking_chain() -> Chain:
    H = sp.Function("H")  # the Beta(α₂, α₃) CDF of x₂/(1 − x₁): free of α₁
    s = x2 / (1 - x1)
    v1 = sp.Symbol("v_1", real=True)
    return Chain(
        "Dirichlet, stick-breaking: the α₁-velocity of x₂ keeps its proportion",
        -(sp.Derivative(H(s), x1) * v1) / sp.Derivative(H(s), x2),
        (
            Step(
                -x2 * v1 / (1 - x1), "∂_{x₁}H(x₂/(1 − x₁)) = H′ x₂/(1 − x₁)², ∂_{x₂}H = H′/(1 − x₁)"
            ),
        ),
        text="u₂ = H(x₂/(1 − x₁)) with H free of α₁, so ∂_{α₁}u₂ = 0 in the Rosenblatt formula; "
        "v₁ = dx₁/dα₁ is the Beta(α₁, α₂ + α₃) implicit gradient.",
    )


def _beta_density(t, a, b):
    return t ** (a - 1) * (1 - t) ** (b - 1) * sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(b))


def dirichlet_continuity(k: int, share=None) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """For Dir(α₁, …, α_k), k ∈ {2, 3}, in the coordinates x₁ (, x₂): the left side
    ∂_{α₁} log p + ∇ log p · v + div v of the continuity equation for the Beta-marginal field
    (derivatives unevaluated), the same with G′ replaced by ∂_a p_B (the hypothesis), and the
    coefficient of G′. ``share`` (K = 3) is v₂/v₁, by default −x₂/(1 − x₁)."""
    rest = alpha2 if k == 2 else alpha2 + alpha3
    p_b = _beta_density(x1, alpha1, rest)
    v1 = -G(x1) / p_b
    if k == 2:
        log_p, coords, v = sp.log(p_b), (x1,), (v1,)
    else:
        total = alpha1 + alpha2 + alpha3
        log_p = (
            sp.loggamma(total)
            - sp.loggamma(alpha1)
            - sp.loggamma(alpha2)
            - sp.loggamma(alpha3)
            + (alpha1 - 1) * sp.log(x1)
            + (alpha2 - 1) * sp.log(x2)
            + (alpha3 - 1) * sp.log(1 - x1 - x2)
        )
        share = -x2 / (1 - x1) if share is None else share
        coords, v = (x1, x2), (v1, share * v1)

    def d(e, var):
        return sp.Derivative(e, var, evaluate=False)

    lhs = d(log_p, alpha1) + sum(
        d(log_p, c) * vi + d(vi, c) for c, vi in zip(coords, v, strict=True)
    )
    evaluated = lhs.doit()
    g_prime = sp.Derivative(G(x1), x1)
    coefficient = sp.diff(evaluated, g_prime)
    filled = evaluated.subs(g_prime, sp.diff(p_b, alpha1))
    return lhs, filled, coefficient


def _cancel_powers(e: sp.Expr) -> sp.Expr:
    """Expand, combine powers of a common base (x^a x^b = x^(a+b), valid for the principal
    branch of any base ≠ 0: no assumption needed), cancel the rational function."""
    return sp.cancel(sp.powsimp(sp.expand(e.doit()), combine="exp"))


def _continuity_chain(k: int) -> Chain:
    lhs, _, coefficient = dirichlet_continuity(k)
    p_b = _beta_density(x1, alpha1, alpha2 if k == 2 else alpha2 + alpha3)
    gap = coefficient * (sp.Derivative(G(x1), x1) - sp.diff(p_b, alpha1))
    return Chain(
        f"Dirichlet, K = {k}: the Beta-marginal field solves the continuity equation (α₁)",
        lhs,
        (
            Step(
                sp.Integer(0),
                "differentiate with G′ = ∂_{α₁} p_B (fundamental theorem of calculus); the G "
                "terms cancel and the rest is ∂_{α₁}log p_B − ∂_{α₁}log p_B",
                (
                    "G(x₁) = ∂_{α₁}I_{x₁}(α₁, α₀ − α₁) = ∫₀^{x₁} ∂_{α₁}p_B: differentiation "
                    "under the integral (dominated on compact parameter sets)",
                ),
                rule=vanishing(gap, "G′(x₁) = ∂_{α₁} p_B(x₁)", simplifier=_cancel_powers),
            ),
        ),
        text=f"Checked for K = {k} with symbolic α (v for α₁; the other αᵢ by relabelling). "
        "v₁ = −G(x₁)/p_B(x₁)"
        + (", v₂ = −x₂ v₁/(1 − x₁)." if k == 3 else ".")
        + " The step's algebra (lhs minus the vanishing term reduces to 0 by expanding and "
        "cancelling) is checked by machine; G′ = ∂_{α₁}p_B is the stated hypothesis."
        + (
            ""
            if k == 3
            else " K = 3 (two coordinates, v₂ = −x₂ v₁/(1 − x₁)) is checked by "
            "tests/test_implicit_derivations.py (its display is too wide for a page); K > 3 "
            "is not checked."
        ),
    )


_TEXT = r"""
In several dimensions a sample x ∈ ℝᴷ is mapped to uniforms by the *Rosenblatt transform*
u_k = F_k(x_k | x₁, …, x_{k−1}; θ), each conditional CDF continuous and strictly increasing in
x_k. Holding u fixed while θ moves, J dx/dθ = −∂_θu with J = ∂u/∂x lower triangular: the
implicit gradient is solved coordinate by coordinate (checked below for the second coordinate,
any conditional CDF). Different orderings give *different* per-sample gradients, all unbiased:
any velocity field v = dx/dθ with

$$\partial_\theta p + \nabla_x\!\cdot(p\,v) = 0
  \iff \partial_\theta \log p + \nabla_x \log p\cdot v + \nabla_x\!\cdot v = 0$$

(the continuity equation) transports p(·; θ) to p(·; θ + dθ), so E[∇f(x) · v] = ∂_θ E[f(x)].

**Dirichlet.** With stick-breaking order, x₁ ∼ Beta(α₁, α₀ − α₁) and x₂/(1 − x₁) is independent
of x₁ with a law free of α₁: the α₁-velocity is v₁ = dx₁/dα₁ (the Beta implicit gradient) and
v_j = −x_j v₁/(1 − x₁) for j ≥ 2 -- torch's `_dirichlet_grad` field, ∂x_j/∂α_i =
(δ_ij − x_j) g_i. It is checked below to solve the continuity equation for K = 2 with symbolic
α; K = 3 is checked by the test suite (tests/test_implicit_derivations.py), whose display would
not fit a page. JAX's Dirichlet (normalised Gammas, x = G/ΣG) uses another field, which depends on
the hidden Gammas and not on x alone (`rtverify.implicit.dirichlet_jacobian_from_gammas`).
"""


def derivation() -> Derivation:
    """Conditional-CDF (Rosenblatt) implicit gradients and the Dirichlet continuity equation."""
    chains = [_one_dimensional_chain(), _rosenblatt_chain(), _stick_breaking_chain()]
    chains += [_continuity_chain(2)]
    return Derivation(
        slug="implicit-multivariate",
        scope="one dimension: any C² CDF; Rosenblatt and stick-breaking fields: general K as fo"
        "rmulas, the Dirichlet continuity equation checked at K = 2 on the page (K = 3 in"
        " the tests, K > 3 not checked)",
        title="Implicit reparameterization in several dimensions",
        summary="Rosenblatt conditional CDFs; the Dirichlet field solves the continuity "
        "equation (K = 2 here, K = 3 in the tests)",
        chains=tuple(chains),
        text=_TEXT,
        references=(
            "Figurnov, M., Mohamed, S. & Mnih, A. (2018). Implicit Reparameterization "
            "Gradients. NeurIPS, Sec. 3.3 (multivariate: the conditional CDFs).",
            "Jankowiak, M. & Obermeyer, F. (2018). Pathwise Derivatives Beyond the "
            "Reparameterization Trick. ICML, eq. (8) (the transport / continuity equation).",
            "Rosenblatt, M. (1952). Remarks on a Multivariate Transformation. Ann. Math. "
            "Statist. 23, 470-472.",
        ),
    )
