"""The IWAE bounds L_k ≤ L_{k+1} ≤ log p(x) (Burda, Grosse & Salakhutdinov 2016, Theorem 1),
at the level the engine checks: the equalities the proof rests on, with the two inequality
steps (Jensen's inequality, exchangeability of i.i.d. samples) stated as hypotheses.

L_k = E_{z_1..k ∼ q}[log (1/k) Σ_i w_i], w_i = p(x, z_i)/q(z_i).

1. E_q[w] = p(x): the importance weight is unbiased (any p(x, ·), q > 0 where p > 0), also as
   the reparameterized expectation E_ε[w(μ + σε)]. With Jensen (log concave):
   L_k ≤ log E[(1/k) Σ w_i] = log p(x).
2. (1/k) Σ_i w_i is the average over the k subsets I of size k − 1 of (1/(k−1)) Σ_{i∈I} w_i
   (checked at k = 3). With Jensen over the uniform choice of I and exchangeability (each subset
   average is distributed as the (k−1)-sample one): L_k ≥ L_{k−1}.
3. The Jensen gap of log in the two-point case is an exact non-negative expression:
   log((a + b)/2) − ½(log a + log b) = ½ log(1 + (a − b)²/(4ab)) ≥ 0.
"""

from __future__ import annotations

import itertools

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step
from rtverify.rules import pointwise, substitution

from ._common import eps, expect, mu, normal_density, sigma

__all__ = ["ORDER", "derivation"]

ORDER = 13

_z = sp.Symbol("z", real=True)
_p = sp.Function("p_x")  # z ↦ p(x, z) for the fixed observation x


def _factor_logs(expr: sp.Expr) -> sp.Expr:
    """log(u) → log(factor(u)), then expand the logs (positive symbols) and simplify."""
    factored = expr.replace(
        lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.factor(sp.together(e.args[0])))
    )
    return sp.simplify(sp.expand_log(factored))


def _unbiased_chains() -> list[Chain]:
    q = normal_density(_z, mu, sigma)
    z = mu + sigma * eps
    return [
        Chain(
            "E_q[p(x, z)/q(z)] = ∫ p(x, z) dz = p(x), any p(x, ·)",
            sp.Integral(q * (_p(_z) / q), (_z, -sp.oo, sp.oo)),
            (
                Step(
                    sp.Integral(_p(_z), (_z, -sp.oo, sp.oo)),
                    "q cancels where q > 0 (a Gaussian q is positive everywhere)",
                    ("p(x, ·) integrable; ∫ p(x, z) dz = p(x) (sum rule)",),
                    rule=pointwise("q · (p/q) = p, pointwise in z"),
                ),
            ),
        ),
        Chain(
            "In ε: E_ε[w(μ + σε)] = ∫ p(x, z) dz for q = N(μ, σ²)",
            sp.Integral(_p(_z), (_z, -sp.oo, sp.oo)),
            (
                Step(
                    expect(_p(z) / normal_density(z, mu, sigma)),
                    "substitute z = μ + σε (dz = σ dε); q(μ + σε) = φ(ε)/σ",
                    rule=substitution(_z, eps, z),
                ),
            ),
        ),
    ]


def _subset_chain(k: int = 3) -> Chain:
    w = sp.symbols(f"w_1:{k + 1}", positive=True)
    subsets = list(itertools.combinations(range(k), k - 1))
    return Chain(
        f"k = {k}: the k-sample mean is the mean of the (k−1)-sample means over subsets",
        sp.Add(*w) / k,
        (
            Step(
                sp.Add(*(sp.Add(*(w[i] for i in subset)) / (k - 1) for subset in subsets))
                / len(subsets),
                f"each w_i lies in {k - 1} of the {len(subsets)} subsets of size {k - 1}",
            ),
        ),
        text="Then log of the left side ≥ the mean over I of log((1/(k−1)) Σ_{i∈I} w_i) "
        "(Jensen, log concave), and each subset term has expectation L_{k−1} because the z_i "
        "are i.i.d. (exchangeability): L_k ≥ L_{k−1}. These two inequality steps are stated, "
        "not machine-checked.",
    )


def _jensen_gap_chain() -> Chain:
    a, b = sp.symbols("a b", positive=True)
    return Chain(
        "The two-point Jensen gap of log is an explicit non-negative number",
        sp.log((a + b) / 2) - (sp.log(a) + sp.log(b)) / 2,
        (
            Step(
                sp.log(1 + (a - b) ** 2 / (4 * a * b)) / 2,
                "(a + b)² = 4ab + (a − b)²: the argument of the log is ≥ 1, so the gap is ≥ 0 "
                "(= 0 iff a = b)",
                ("a, b > 0",),
                prepare=_factor_logs,
            ),
        ),
    )


def _two_point_chains() -> list[Chain]:
    """q uniform on two latent values with importance weights a, b > 0 (so p(x) = (a + b)/2):
    L_1, L_2 and log p(x) exactly, and both gaps as explicit non-negative numbers."""
    a, b = sp.symbols("a b", positive=True)
    mean = (a + b) / 2
    l1 = (sp.log(a) + sp.log(b)) / 2
    # two i.i.d. draws: (a, a), (a, b), (b, a), (b, b) with probability ¼ each
    l2 = (sp.log(a) + 2 * sp.log(mean) + sp.log(b)) / 4
    gap = sp.log(1 + (a - b) ** 2 / (4 * a * b)) / 4
    return [
        Chain(
            "Two-point q, weights a, b: L_2 − L_1 ≥ 0 exactly",
            l2 - l1,
            (
                Step(
                    gap,
                    "L_1 = ½(log a + log b), L_2 = ¼(log a + 2 log((a+b)/2) + log b)",
                    ("a, b > 0",),
                    prepare=_factor_logs,
                ),
            ),
            text="E_q[w] = (a + b)/2 = p(x). The right side is ≥ 0, = 0 iff a = b (q ∝ p(z | x)).",
        ),
        Chain(
            "Two-point q, weights a, b: log p(x) − L_2 ≥ 0 exactly",
            sp.log(mean) - l2,
            (Step(gap, "log p(x) = log((a + b)/2)", ("a, b > 0",), prepare=_factor_logs),),
        ),
    ]


_TEXT = r"""
The importance-weighted bound $\mathcal L_k = \mathbb E[\log \tfrac1k\sum_{i=1}^k w_i]$ with
$w_i = p(x, z_i)/q(z_i)$, $z_i \sim q$ i.i.d., satisfies
$\mathrm{ELBO} = \mathcal L_1 \le \mathcal L_k \le \mathcal L_{k+1} \le \log p(x)$ (Burda et al.
2016, Theorem 1). The proof has two ingredients that are equalities — checked below — and two
inequality steps that the derivation engine (which checks equations) does not check, stated as
hypotheses: Jensen's inequality for the concave log, and exchangeability of i.i.d. samples.
The two-point case of Jensen's inequality is checked as an exact identity whose right side is
visibly non-negative, and so is the whole chain $\mathcal L_1 \le \mathcal L_2 \le \log p(x)$
for a q uniform on two latent values with importance weights a, b: both gaps equal
$\tfrac14\log(1 + (a-b)^2/4ab) \ge 0$.

Scope: the unbiasedness of the weight holds for any $p(x, \cdot)$ (rules: pointwise, and the
substitution z = μ + σε for a Gaussian q); the subset identity is checked at k = 3. The
ordering itself is tested numerically (calibrated Monte Carlo tests of $\mathcal L_1 \le
\mathcal L_8 \le \mathcal L_{64} \le \log p(x)$ on a linear-Gaussian and a Bernoulli-decoder
model with exact $\log p(x)$, `tests/test_bounds.py`).
"""


def derivation() -> Derivation:
    """The equalities behind L_k ≤ L_{k+1} ≤ log p(x)."""
    return Derivation(
        slug="iwae-bound",
        title="The IWAE bounds L_k ≤ L_{k+1} ≤ log p(x)",
        summary="E_q[w] = p(x); the k-mean is the mean of (k−1)-means; Jensen's gap (the "
        "inequalities stated)",
        chains=(*_unbiased_chains(), _subset_chain(3), _jensen_gap_chain(), *_two_point_chains()),
        text=_TEXT,
        scope=(
            "the equalities only: E_q[w] = p(x) for any p; the subset identity at k = 3; the two-"
            "point Jensen gap; L₁ ≤ L₂ ≤ log p(x) for a two-point q. Jensen and exchangeability "
            "for general k are stated, not checked"
        ),
        references=(
            "Burda, Y., Grosse, R. & Salakhutdinov, R. (2016). Importance Weighted "
            "Autoencoders. ICLR, Theorem 1 and its proof (App. A).",
            "M. Bahng, Variational Autoencoders (lecture notes, Spring 2023), the IWAE bound.",
        ),
    )
