"""The Gumbel-max trick: argmax_i(log π_i + g_i) ∼ Categorical(π) for g_i i.i.d. Gumbel(0, 1).

With g = −log E, E ∼ Exp(1) (so P(g ≤ x) = exp(−e^{−x}), proved below), log π_i + g_i =
log(π_i/E_i) and the argmax is the argmin of E_i/π_i ∼ Exp(π_i): an exponential race, won by k
with probability π_k/Σ_j π_j. Proved for any K (the rate of the others summed into r) and, as
an integral in the Gumbel variable itself, for K = 2 and K = 3.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

__all__ = ["ORDER", "derivation", "gumbel_cdf", "gumbel_density"]

ORDER = 8

x = sp.Symbol("x", real=True)
e = sp.Symbol("E", positive=True)
s = sp.Symbol("s", positive=True)
pi1, pi2, pi_k, r = sp.symbols("pi_1 pi_2 pi_k r", positive=True)


def gumbel_cdf(v: sp.Expr, loc: sp.Expr = 0) -> sp.Expr:
    """P(loc + g ≤ v) = exp(−e^{−(v − loc)}) for g ∼ Gumbel(0, 1)."""
    return sp.exp(-sp.exp(-(v - loc)))


def gumbel_density(v: sp.Expr, loc: sp.Expr = 0) -> sp.Expr:
    """The density e^{−(v − loc)} exp(−e^{−(v − loc)}) of loc + Gumbel(0, 1)."""
    return sp.exp(-(v - loc)) * gumbel_cdf(v, loc)


def _chains() -> tuple[Chain, ...]:
    three = 1 - pi1 - pi2
    return (
        Chain(
            "g = −log E with E ∼ Exp(1) is Gumbel(0, 1)",
            sp.Integral(sp.exp(-e), (e, sp.exp(-x), sp.oo)),
            (Step(gumbel_cdf(x), "P(−log E ≤ x) = P(E ≥ e^{−x})"),),
        ),
        Chain(
            "Exponential race, any K: P(argmax = k) = π_k / Σπ",
            sp.Integral(pi_k * sp.exp(-pi_k * s) * sp.exp(-r * s), (s, 0, sp.oo)),
            (Step(pi_k / (pi_k + r), "integrate"),),
            text="E_k/π_k ∼ Exp(π_k) wins at s with density π_k e^{−π_k s}; the others, "
            "independent, all exceed s with probability Π_{j≠k} e^{−π_j s} = e^{−r s}, "
            "r = Σ_{j≠k} π_j. With Σπ = 1, π_k + r = 1: P(argmax = k) = π_k.",
        ),
        Chain(
            "K = 2, in the Gumbel variable: P(log π₁ + g₁ > log π₂ + g₂) = π₁",
            sp.Integral(
                gumbel_density(x, sp.log(pi1)) * gumbel_cdf(x, sp.log(1 - pi1)),
                (x, -sp.oo, sp.oo),
            ),
            (Step(pi1, "integrate (π₂ = 1 − π₁)"),),
        ),
        Chain(
            "K = 3, in the Gumbel variable: P(argmax = 1) = π₁",
            sp.Integral(
                gumbel_density(x, sp.log(pi1))
                * gumbel_cdf(x, sp.log(pi2))
                * gumbel_cdf(x, sp.log(three)),
                (x, -sp.oo, sp.oo),
            ),
            (Step(pi1, "integrate (π₃ = 1 − π₁ − π₂)"),),
            text="The winner's density at x times the probability that both others lie below x.",
        ),
    )


_TEXT = r"""
The **Gumbel-max trick** draws from Categorical(π) by perturbing the log-probabilities:

$$\arg\max_i\,(\log\pi_i + g_i) \sim \mathrm{Categorical}(\pi),\qquad g_i \overset{iid}{\sim}
  \mathrm{Gumbel}(0, 1).$$

A Gumbel(0, 1) variable is g = −log E with E ∼ Exp(1). Then log π_i + g_i = log(π_i / E_i), and
since log is increasing the argmax is the index of the smallest E_i/π_i ∼ Exp(π_i): the first
arrival of independent exponential clocks, which is k with probability π_k / Σ_j π_j. The
argmax is a step function of the logits: it has no pathwise gradient (see the Bernoulli chain of
*implicit-reparameterization*); the Gumbel-softmax relaxation (*gumbel-softmax*) smooths it.
"""


def derivation() -> Derivation:
    """The Gumbel-max trick: the perturbed argmax is Categorical(π)."""
    return Derivation(
        slug="gumbel-max",
        scope="any K (exponential race); K = 2, 3 as integrals in the Gumbel variable",
        title="Gumbel-max trick",
        summary="argmax_i(log π_i + g_i) ∼ Categorical(π): exponential race, any K; K = 2, 3 "
        "as integrals",
        chains=_chains(),
        text=_TEXT,
        references=(
            "Gumbel, E. J. (1954). Statistical Theory of Extreme Values and Some Practical "
            "Applications. NBS Applied Mathematics Series 33.",
            "Maddison, C. J., Tarlow, D. & Minka, T. (2014). A* Sampling. NeurIPS, Sec. 2.",
        ),
    )
