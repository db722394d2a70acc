"""Claims of the source documents that no other derivation covers (sources 001, 002, 003).

- Notes eq. (46) (AEVB gradient): with z = g_φ(ε) = μ + σε and ∇_φ the total derivative
  through z, ∇_φ ELBO = E_ε[∇_φ log p(x | z) − ∇_φ log q_φ(z | x) + ∇_φ log p(z)].
- Notes Example 1.5: the per-sample variance ratio (score / pathwise) for f = x², q = N(φ, 1)
  is ≥ 10 ("an order of magnitude") only for φ² ≥ √74 − 7; at the optimum φ = 0 it is 15/4.
- Notes eq. (33): E_q[x²] − 1 = φ² for q = N(φ, 1), minimal at φ = 0.
- Notes eq. (15)-(17): E[1{Y = y}] = θ_y and the K-sample frequency is unbiased for it.
- Notes eq. (42)-(43): √φ_σ = σ for φ_σ = σ², e^{φ_σ/2} = σ for φ_σ = 2 log σ.
- Blog (003): the score function ∇ log f = ∇f / f; its last display is ∇(−ELBO).
- Q&A (002): the ε-integral of the answer needs dε, not dz.
"""

from __future__ import annotations

import sympy as sp

from rtverify.claims.errata import erratum
from rtverify.derivation import Chain, Derivation, Step

from ._common import eps, expect, gaussian_terms, mu, normal_density, sigma
from .estimator_variance import theta, x_squared_variances

__all__ = ["ORDER", "aevb_gradients", "derivation", "order_of_magnitude_threshold"]

ORDER = 21
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 0.65

_x = sp.Symbol("x", real=True)


def aevb_gradients(p: sp.Symbol) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Notes eq. (46) for p(z) = N(0, 1), p(x | z) = N(z, 1), q = N(μ, σ²), parameter ``p``.

    Returns (∂_p ELBO, E_ε[total ∂_p of the three terms at z = μ + σε], the same with z held
    fixed in the derivatives — the other reading of eq. (46))."""
    z = sp.Symbol("z", real=True)
    g = mu + sigma * eps
    log_lik, log_prior = sp.log(normal_density(_x, z, 1)), sp.log(normal_density(z, 0, 1))
    log_q = sp.log(normal_density(z, mu, sigma))

    def expand(e: sp.Expr) -> sp.Expr:
        return sp.expand(sp.expand_log(e, force=True))

    terms = expand(log_lik - log_q + log_prior)
    total = sp.diff(terms.subs(z, g), p)
    fixed = sp.diff(terms, p).subs(z, g)
    return sp.Derivative(expect(terms.subs(z, g)), p), expect(total), expect(fixed)


def order_of_magnitude_threshold() -> sp.Expr:
    """φ_* > 0 with Var(score)/Var(pathwise) = 10 for f = x², q = N(φ, 1): √(√74 − 7)."""
    return sp.sqrt(sp.sqrt(74) - 7)


def _variance_ratio() -> sp.Expr:
    v = x_squared_variances()
    return (v["score_mu"] / v["pathwise_mu"]).subs({mu: theta, sigma: 1})


def _erratum_chain(claim_id: str, title: str, why: str) -> Chain:
    e = erratum(claim_id)
    return Chain(
        f"{title} ({claim_id})",
        e.lhs,
        (Step(e.correct, why, prepare=e.prepare),),
        text=f"Checked instance: {e.instance}. Wrong in the source: {e.wrong}.",
    )


def _chains() -> tuple[Chain, ...]:
    f = sp.Function("f", positive=True)(_x, theta)
    ratio = _variance_ratio()
    t = sp.Symbol("theta_y", positive=True)
    c = sp.Symbol("c", integer=True, nonnegative=True)
    k_samples = 5
    out = []
    for name in ("mu", "sigma"):
        p = mu if name == "mu" else sigma
        lhs, total, _ = aevb_gradients(p)
        out.append(
            Chain(
                f"Notes eq. (46) in {name}: the AEVB gradient, total derivative through z",
                lhs,
                (
                    Step(
                        total,
                        "Leibniz rule (p(ε) free of φ), chain rule through z = μ + σε",
                        prepare=gaussian_terms,
                    ),
                ),
                text="p(z) = N(0, 1), p(x | z) = N(z, 1), q = N(μ, σ²). With ∇_φ acting on "
                "log p(x | g_φ(ε)) − log q_φ(g_φ(ε)) + log p(g_φ(ε)) (as the notes' next display "
                "writes) eq. (46) holds; read with z held fixed it does not "
                "(`tests/test_errata.py`).",
            )
        )
    out += [
        Chain(
            "Notes Example 1.5: where the variance ratio is ten",
            ratio.subs(theta, order_of_magnitude_threshold()),
            (Step(sp.Integer(10), "substitute φ² = √74 − 7"),),
            text="Var(score)/Var(pathwise) per sample, from `estimator-variance`, at q = N(φ, 1); "
            "it increases in φ², so it is ≥ 10 exactly for φ² ≥ √74 − 7 (|φ| ≥ 1.266).",
        ),
        Chain(
            "Notes eq. (33): E_q[x²] − 1 = φ², so the minimum is at φ = 0",
            expect((theta + eps) ** 2) - 1,
            (Step(theta**2, "x = φ + ε; Gaussian moments", prepare=gaussian_terms),),
            text="A square is ≥ 0 and vanishes only at φ = 0: min_φ E_q[x²] = 1 at φ = 0.",
        ),
        Chain(
            "Notes Example 1.5: the ratio at the optimum φ = 0",
            _variance(eps**2 * eps) / _variance(2 * eps),
            (Step(sp.Rational(15, 4), "Gaussian moments at φ = 0", prepare=gaussian_terms),),
            text="One score-function sample is x²(x − φ) = ε³ and one pathwise sample is "
            "2(φ + ε) = 2ε at φ = 0: the ratio of their variances, from the integrals.",
        ),
        Chain(
            "Notes eq. (15)-(16): the expectation of an indicator is a probability",
            sp.Sum(
                sp.KroneckerDelta(c, 1) * sp.binomial(1, c) * t**c * (1 - t) ** (1 - c), (c, 0, 1)
            ),
            (Step(t, "E[1{Y = y}] = P(Y = y) = θ_y (sum over the two outcomes of 1{Y = y})"),),
        ),
        Chain(
            "Notes eq. (17): the K-sample frequency is unbiased (K = 5)",
            sp.Sum(
                sp.binomial(k_samples, c) * t**c * (1 - t) ** (k_samples - c) * c / k_samples,
                (c, 0, k_samples),
            ),
            (Step(t, "binomial mean Kθ_y, divided by K"),),
            text="Its logarithm is −∞ with probability (1 − θ_y)^K > 0, so eq. (17) is a "
            "consistent (K → ∞) but biased estimate of log p.",
        ),
        Chain(
            "Notes eq. (42): √φ_σ = σ for φ_σ = σ²",
            sp.Pow(sigma**2, sp.Rational(1, 2), evaluate=False),
            (Step(sigma, "σ > 0"),),
        ),
        Chain(
            "Notes eq. (43): exp(φ_σ/2) = σ for φ_σ = 2 log σ",
            sp.exp(sp.Mul(2, sp.log(sigma), sp.Rational(1, 2), evaluate=False), evaluate=False),
            (Step(sigma, "exp ∘ log = id on σ > 0"),),
        ),
        Chain(
            "Blog (003): the score function",
            sp.Derivative(f, theta),
            (Step(f * sp.Derivative(sp.log(f), theta), "∇ log f = ∇f / f (chain rule), times f"),),
        ),
        _erratum_chain(
            "003 gradient of the lower bound",
            "Blog (003): the gradient of the lower bound",
            "linearity of E and of ∂/∂μ",
        ),
        _erratum_chain(
            "002 answer, J(φ)",
            "Q&A (002): the expectation in ε",
            "substitute z = μ + σε, dz = σ dε",
        ),
    ]
    return tuple(out)


def _variance(sample: sp.Expr) -> sp.Expr:
    """Var[sample] = E[sample²] − E[sample]², expectations over ε as integrals."""
    return expect(sample**2) - expect(sample) ** 2


def derivation() -> Derivation:
    """Claims of the sources not covered by another derivation."""
    return Derivation(
        slug="source-documents",
        title="Further claims of the source documents",
        summary="notes eq. (15)-(17), (42)-(43), (46), Example 1.5's variance claim; blog and "
        "Q&A displays",
        scope="the instances named in each chain",
        chains=_chains(),
        text=(
            "Small claims of the sources that the other derivations do not cover, each proved "
            "in a concrete instance; the table of all claims is "
            "[source-claims](../source-claims.md)."
        ),
        references=(
            "M. Bahng, Variational Autoencoders (lecture notes, source 001)",
            "Q&A on why the reparameterization trick has lower variance (source 002)",
            "Blog post 'The reparametrization trick' (source 003)",
            "Kingma & Welling, Auto-Encoding Variational Bayes (2014), Sec. 2.4",
        ),
    )
