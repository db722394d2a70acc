"""Implicit reparameterization: dz/dθ = −∂_θF(z; θ) / ∂_zF(z; θ) from F(z(θ); θ) = u.

Figurnov, Mohamed & Mnih (2018), eq. (5). For a continuous, strictly increasing, differentiable
CDF F(·; θ) and a sample z drawn by *any* method, u = F(z; θ) is uniform and held fixed while θ
moves; differentiating F(z(θ); θ) = u gives the gradient without inverting F. Instantiated in
closed form for the exponential, Weibull and Kumaraswamy laws and cross-checked there against
the explicit pathwise form d F⁻¹(u; θ)/dθ. The seed claim "any distribution that is
differentiable with respect to its parameters can be reparameterized by inverting the
multivariate CDF" is corrected: a discrete law has no pathwise gradient (the inverse-CDF
Bernoulli sample has derivative 0 almost surely while its mean moves).
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

from ._hypotheses import vanishing

__all__ = ["FAMILIES", "ORDER", "derivation"]

ORDER = 6

theta = sp.Symbol("theta", real=True)
u = sp.Symbol("u", positive=True)
z = sp.Symbol("z", positive=True)
lam, k, a, b = sp.symbols("lambda k a b", positive=True)
#: w = −log(1 − u) > 0: the Exp(1) variable of the inverse CDFs below.
w = sp.Symbol("w", positive=True)

#: (name, CDF F(z), inverse F⁻¹ written through w = −log(1 − u), {θ: −∂_θF/∂_zF in closed form},
#: {power of z: its value at z = F⁻¹(u)} -- substituted first, as SymPy cannot simplify
#: ((1 − e^{−w/b})^{1/a})^a without knowing that the base is positive)
FAMILIES = (
    ("exponential", 1 - sp.exp(-lam * z), w / lam, {lam: -z / lam}, {}),
    (
        "Weibull",
        1 - sp.exp(-((z / lam) ** k)),
        lam * w ** (1 / k),
        {lam: z / lam, k: -z * sp.log(z / lam) / k},
        {},
    ),
    (
        "Kumaraswamy",
        1 - (1 - z**a) ** b,
        (1 - sp.exp(-w / b)) ** (1 / a),
        {a: -z * sp.log(z) / a, b: z * (1 - z**a) * sp.log(1 - z**a) / (a * b * z**a)},
        {z**a: 1 - sp.exp(-w / b)},
    ),
)

_CONDITIONS = (
    "F(·; θ) is continuous and strictly increasing on the support: u = F(z; θ) is uniform and "
    "z(θ) = F⁻¹(u; θ) is well defined",
    "F is differentiable in (z, θ) with ∂_zF = p(z; θ) > 0 at z",
)


def _general_chain() -> Chain:
    F = sp.Function("F")
    zt = sp.Function("z")(theta)
    total = sp.Derivative(F(zt, theta), theta)
    f_z = sp.Derivative(F(zt, theta), zt)
    xi = sp.Symbol("xi", real=True)  # a named bound variable: pages do not depend on SymPy's
    f_theta = sp.Subs(sp.Derivative(F(zt, xi), xi), xi, theta)  # dummy counter
    dz = sp.Derivative(zt, theta)
    return Chain(
        "Implicit differentiation of F(z(θ); θ) = u, any differentiable F",
        dz,
        (
            Step(
                dz - total / f_z,
                "add 0: F(z(θ); θ) = u for every θ, so its total θ-derivative vanishes",
                _CONDITIONS,
                rule=vanishing(
                    total / f_z, "d/dθ F(z(θ); θ) = du/dθ = 0: u is held fixed while θ moves"
                ),
            ),
            Step(dz - (f_z * dz + f_theta) / f_z, "chain rule for the total derivative"),
            Step(-f_theta / f_z, "cancel ∂_zF · dz/dθ (∂_zF = p > 0)"),
        ),
        text="The sample z is drawn by any method; only u = F(z; θ) is held fixed. ∂_zF is the "
        "density p(z; θ), so dz/dθ = −∂_θF / p. The first step uses the hypothesis "
        "F(z(θ); θ) = u for all θ (stated, not machine-checked); the others are proved.",
    )


def _family_chains(name, cdf, inverse, closed, powers) -> list[Chain]:
    chains = []
    for p, grad in closed.items():
        chains.append(
            Chain(
                f"{name}: the implicit gradient in {p} in closed form",
                -sp.Derivative(cdf, p) / sp.Derivative(cdf, z),
                (Step(grad, f"differentiate F = {sp.sstr(cdf)}"),),
            )
        )
        chains.append(
            Chain(
                f"{name}: the explicit pathwise gradient in {p} agrees",
                sp.Derivative(inverse, p),
                (Step(grad.subs(powers).subs(z, inverse), "the implicit gradient at z = F⁻¹(u)"),),
                text=f"F⁻¹(u) = {sp.sstr(inverse)} with w = −log(1 − u)"
                + "".join(f"; {sp.sstr(k)} = {sp.sstr(v)} there" for k, v in powers.items())
                + ".",
            )
        )
    return chains


def _bernoulli_chains() -> list[Chain]:
    q = sp.Symbol("q", positive=True)  # p = q / (1 + q) ∈ (0, 1)
    p = q / (1 + q)
    sample = sp.Heaviside(p - u)  # 1 when u < p: the inverse-CDF Bernoulli(p) sample
    return [
        Chain(
            "Bernoulli: the mean moves with p",
            sp.Derivative(sp.Integral(sample, (u, 0, 1)), q),
            (Step(sp.diff(p, q), "E[z] = p, differentiate in q (p = q/(1 + q))"),),
            text="The inverse-CDF sample z = 1{u < p} with u ∼ U(0, 1), p = q/(1 + q) ∈ (0, 1).",
        ),
        Chain(
            "Bernoulli: the sample's derivative is 0 almost surely",
            sp.Derivative(sample, q),
            (Step(sp.DiracDelta(p - u) * sp.diff(p, q), "differentiate the step function"),),
            text="δ(p − u) vanishes for every u ≠ p, i.e. with probability one: the pathwise "
            "estimate E[∂z/∂q] = 0, while dE[z]/dq = 1/(1 + q)² > 0 (previous chain). No "
            "pathwise gradient exists for a discrete law; use the score function or a "
            "continuous relaxation (Gumbel-softmax).",
        ),
    ]


_TEXT = r"""
*Implicit reparameterization* (Figurnov et al. 2018). Let z have CDF F(z; θ), continuous,
strictly increasing and differentiable, and let z be drawn by any method (rejection sampling, a
transformation of Gammas, a table). Then u = F(z; θ) ∼ U(0, 1), and holding u fixed while θ moves
defines z(θ) = F⁻¹(u; θ). Differentiating the constraint F(z(θ); θ) = u,

$$\frac{dz}{d\theta} = -\frac{\partial_\theta F(z;\theta)}{\partial_z F(z;\theta)}
  = -\frac{\partial_\theta F(z;\theta)}{p(z;\theta)},$$

which needs F and its θ-derivative, never F⁻¹. This is how torch's Gamma, Beta, Dirichlet and
Chi2 `rsample` and JAX's `random.gamma` are differentiated; the numeric reference is
`rtverify.implicit`. Where F⁻¹ has a closed form the implicit gradient must equal the explicit
pathwise one, d F⁻¹(u; θ)/dθ: checked below for the exponential, Weibull and Kumaraswamy laws
in every parameter.

**Correction of the lecture notes** (source 001: "any distribution that is differentiable with
respect to its parameters can be reparameterized by inverting the multivariate CDF function and
applying the implicit method"). The implicit method needs a *continuous* law with a
differentiable, strictly increasing CDF (in several dimensions: the conditional CDFs, see
*implicit-multivariate*). A discrete law is differentiable in its parameters but its inverse-CDF
sample is piecewise constant in them: for the Bernoulli the sample's derivative is 0 almost
surely while d E[z]/dp ≠ 0, so the pathwise estimator is biased (it returns 0).
"""


def derivation() -> Derivation:
    """The implicit reparameterization gradient, its closed-form instances and the Bernoulli
    counterexample."""
    chains = [_general_chain()]
    for family in FAMILIES:
        chains += _family_chains(*family)
    chains += _bernoulli_chains()
    return Derivation(
        slug="implicit-reparameterization",
        scope="any continuous, strictly increasing, differentiable F under stated hypotheses; c"
        "losed forms for the exponential, Weibull and Kumaraswamy laws; the Bernoulli cou"
        "nterexample",
        title="Implicit reparameterization",
        summary="dz/dθ = −∂_θF(z; θ)/p(z; θ) from F(z(θ); θ) = u; closed forms; no discrete laws",
        chains=tuple(chains),
        text=_TEXT,
        references=(
            "Figurnov, M., Mohamed, S. & Mnih, A. (2018). Implicit Reparameterization "
            "Gradients. NeurIPS, eq. (5) and Table 1.",
            "M. Bahng, Variational Autoencoders (lecture notes, Spring 2023): the paragraph on "
            "inverting the multivariate CDF and the implicit method.",
        ),
    )
