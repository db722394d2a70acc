"""The Concrete / Gumbel-softmax relaxation y = softmax((log π + g)/τ) and its laws.

For every temperature τ > 0: τ·log(y_i/y_j) = (l_i + g_i) − (l_j + g_j), so (i) y_i > y_j exactly
when l_i + g_i > l_j + g_j -- the argmax of y is the Gumbel-max sample, Categorical(softmax(l)),
for every τ; and (ii) τ·log(y_i/y_j) − (l_i − l_j) = g_i − g_j, a difference of two independent
Gumbels, which is standard logistic (proved). Checked with K = 3 symbolic logits.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

__all__ = ["ORDER", "derivation", "relaxed_sample"]

ORDER = 9

tau = sp.Symbol("tau", positive=True)
logits = sp.symbols("l_1:4", real=True)
gumbels = sp.symbols("g_1:4", real=True)
t = sp.Symbol("t", real=True)
e1 = sp.Symbol("E_1", positive=True)


def relaxed_sample(k: int = 3) -> list[sp.Expr]:
    """y = softmax((l + g)/τ) with K = ``k`` symbolic logits l_i and Gumbel noises g_i."""
    scores = [(logits[i] + gumbels[i]) / tau for i in range(k)]
    total = sum(sp.exp(v) for v in scores)
    return [sp.exp(v) / total for v in scores]


def _chains() -> tuple[Chain, ...]:
    y = relaxed_sample()
    (l1, l2, _), (g1, g2, _) = logits, gumbels
    return (
        Chain(
            "Log-ratio of two coordinates, any τ > 0",
            tau * sp.log(y[0] / y[1]),
            (Step(l1 + g1 - l2 - g2, "the normaliser cancels in the ratio"),),
        ),
        Chain(
            "The argmax does not depend on τ",
            sp.sign(sp.log(y[0] / y[1])),
            (Step(sp.sign(l1 + g1 - l2 - g2), "log(y₁/y₂) = (l₁ + g₁ − l₂ − g₂)/τ with τ > 0"),),
            text="y₁ > y₂ exactly when l₁ + g₁ > l₂ + g₂, for every pair: argmax y is the "
            "Gumbel-max sample, Categorical(softmax(l)) (*gumbel-max*), at every τ > 0.",
        ),
        Chain(
            "The relaxed law: τ log(y₁/y₂) − (l₁ − l₂) is a difference of Gumbels",
            tau * sp.log(y[0] / y[1]) - (l1 - l2),
            (Step(g1 - g2, "the log-ratio above"),),
        ),
        Chain(
            "A difference of two independent Gumbels is standard logistic",
            sp.Integral(sp.exp(-e1) * (1 - sp.exp(-sp.exp(t) * e1)), (e1, 0, sp.oo)),
            (Step(1 / (1 + sp.exp(-t)), "integrate"),),
            text="g₁ − g₂ = log(E₂/E₁) ≤ t exactly when E₂ ≤ e^t E₁ (E_i ∼ Exp(1) i.i.d.): "
            "P = ∫₀^∞ e^{−E₁} (1 − e^{−e^t E₁}) dE₁, the logistic CDF.",
        ),
    )


_TEXT = r"""
The **Concrete / Gumbel-softmax** distribution (Maddison et al. 2017; Jang et al. 2017) relaxes
the Gumbel-max sample to the simplex:

$$y = \mathrm{softmax}\big((l + g)/\tau\big),\qquad g_i \overset{iid}{\sim}\mathrm{Gumbel}(0,1),
  \quad \tau > 0,$$

with logits l (softmax(l) = π). It is differentiable in l (a pathwise gradient exists), lies on
the simplex, and tends to the one-hot Gumbel-max sample as τ → 0. Two facts make its law
checkable for *every* τ, not only τ = 1: the argmax of y is invariant under the positive scaling
1/τ, so it is Categorical(π) at every τ; and τ·log(y_i/y_j) − (l_i − l_j) = g_i − g_j is standard
logistic. A sampler that forgets the temperature (softmax(l + g) for τ ≠ 1) keeps the right
argmax law but breaks the second property.
"""


def derivation() -> Derivation:
    """The Gumbel-softmax relaxation: τ-invariant argmax law and logistic log-ratios."""
    return Derivation(
        slug="gumbel-softmax",
        scope="any K and any τ > 0 (the log-ratio identity); the logistic law of a Gumbel diffe"
        "rence",
        title="Gumbel-softmax (Concrete) relaxation",
        summary="argmax softmax((l + g)/τ) ∼ Categorical(softmax(l)) for every τ > 0; "
        "τ log(y_i/y_j) − (l_i − l_j) is standard logistic",
        chains=_chains(),
        text=_TEXT,
        references=(
            "Maddison, C. J., Mnih, A. & Teh, Y. W. (2017). The Concrete Distribution. ICLR.",
            "Jang, E., Gu, S. & Poole, B. (2017). Categorical Reparameterization with "
            "Gumbel-Softmax. ICLR.",
        ),
    )
