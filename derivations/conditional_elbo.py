"""The conditional ELBO of notes eq. (47), corrected, as a bound on log p(x | c).

Corrected form (Sohn, Lee & Yan 2015, eq. (4)): with one encoder q(z | x, c),

    ELBO(x | c) = E_{q(z|x,c)}[log p(x | z, c)] − KL(q(z | x, c) ‖ p(z | c))
                = log p(x | c) − KL(q(z | x, c) ‖ p(z | x, c)) ≤ log p(x | c).

(The notes' eq. (47) takes the expectation under q(z | x) and puts the KL, a constant, inside
it: see the notes-errata page.) Proved on the conjugate instance p(z | c) = N(k c, s₀²),
p(x | z, c) = N(z + v c, s²), q(z | x, c) = N(μ, σ²), every parameter symbolic.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

from ._common import eps, expect, gaussian_terms, mu, sigma

__all__ = ["ORDER", "derivation"]

ORDER = 11

c, k, v, x = sp.symbols("c k v x", real=True)
s0 = sp.Symbol("s_0", positive=True)
s = sp.Symbol("s", positive=True)
_t = sp.Symbol("t", real=True)
_PHI = sp.Lambda(_t, sp.exp(_t) - 1 - _t)


def _log_normal(value: sp.Expr, loc: sp.Expr, var: sp.Expr) -> sp.Expr:
    """log N(value; loc, var) = −½ log(2π var) − (value − loc)²/(2 var)."""
    return -sp.log(2 * sp.pi * var) / 2 - (value - loc) ** 2 / (2 * var)


def derivation() -> Derivation:
    """ELBO(x | c) = log p(x | c) − KL(q ‖ p(z | x, c)) on a conjugate instance."""
    z = mu + sigma * eps
    prior_mean = k * c
    log_lik = _log_normal(x, z + v * c, s**2)
    log_prior = _log_normal(z, prior_mean, s0**2)
    log_q = _log_normal(z, mu, sigma**2)
    post_var = s0**2 * s**2 / (s0**2 + s**2)
    post_mean = post_var * (prior_mean / s0**2 + (x - v * c) / s**2)
    mp, vp = sp.Symbol("m", real=True), sp.Symbol("w", positive=True)  # p(z | x, c) = N(m, w)

    exp_lik = -sp.log(2 * sp.pi * s**2) / 2 - ((x - v * c - mu) ** 2 + sigma**2) / (2 * s**2)
    kl_prior = sp.log(s0 / sigma) + (sigma**2 + (mu - prior_mean) ** 2) / (2 * s0**2) - sp.S.Half
    kl_generic = (sigma**2 / vp + (mu - mp) ** 2 / vp - 1 - sp.log(sigma**2 / vp)) / 2
    kl_post = kl_generic.subs({mp: post_mean, vp: post_var})
    log_evidence = _log_normal(x, prior_mean + v * c, s0**2 + s**2)

    return Derivation(
        slug="conditional-elbo",
        title="The conditional ELBO bounds log p(x | c) (notes eq. (47), corrected)",
        summary="E_q[log p(x | z, c)] − KL(q(z | x, c) ‖ p(z | c)) = log p(x | c) − "
        "KL(q ‖ p(z | x, c)) ≤ log p(x | c)",
        chains=(
            Chain(
                "The corrected eq. (47) from the joint: E_q[log p(x, z | c) − log q(z | x, c)]",
                expect(log_lik + log_prior - log_q),
                (
                    Step(
                        expect(log_lik) - expect(log_q - log_prior),
                        "linearity of E: the reconstruction term minus KL(q(z | x, c) ‖ p(z | c))",
                        prepare=gaussian_terms,
                    ),
                    Step(
                        exp_lik - kl_prior,
                        "z = μ + σε; Gaussian moments; the KL between two univariate Gaussians",
                        prepare=gaussian_terms,
                    ),
                ),
                text="Both terms use the same encoder q(z | x, c) = N(μ, σ²); the KL is a "
                "number, outside the expectation.",
            ),
            Chain(
                "KL from q to the exact posterior p(z | x, c) = N(m, w)",
                expect(log_q - _log_normal(z, mp, vp)),
                (
                    Step(kl_generic, "Gaussian moments", prepare=gaussian_terms),
                    Step(
                        (_PHI(sp.log(sigma**2 / vp)) + (mu - mp) ** 2 / vp) / 2,
                        "rewrite with φ(t) = eᵗ − 1 − t ≥ 0: a sum of non-negative terms",
                    ),
                ),
                text="w = s₀²s²/(s₀² + s²), m = w(kc/s₀² + (x − vc)/s²).",
            ),
            Chain(
                "log p(x | c) = ELBO(x | c) + KL(q ‖ p(z | x, c))",
                exp_lik - kl_prior + kl_post,
                (
                    Step(
                        log_evidence,
                        "algebra: the μ- and σ-dependence cancels; x | c ∼ N(kc + vc, s₀² + s²)",
                    ),
                ),
                text="Since the KL is ≥ 0 (previous chain), ELBO(x | c) ≤ log p(x | c), with "
                "equality iff q(z | x, c) = p(z | x, c).",
            ),
        ),
        text=(
            "A conditional VAE models p(x | c) = ∫ p(x | z, c) p(z | c) dz. Its ELBO is the "
            "ordinary ELBO with every distribution conditioned on c and *one* encoder "
            "q(z | x, c) in both terms. The three chains derive it from the joint, show the gap "
            "to log p(x | c) is KL(q ‖ p(z | x, c)) ≥ 0, and so that it is a lower bound, on a "
            "conjugate Gaussian instance with every parameter symbolic. The numeric reference "
            "checks the same on `rtverify.models.ConditionalLinearGaussian` "
            "(`rtverify.elbo.conditional_elbo`)."
        ),
        scope=(
            "the conjugate instance p(z | c) = N(kc, s₀²), p(x | z, c) = N(z + vc, s²), q = N(μ, "
            "σ²), every parameter symbolic"
        ),
        references=(
            "M. Bahng, Variational Autoencoders (lecture notes, Spring 2023), Definition 4.1, "
            "eq. (47).",
            "Sohn, K., Lee, H. & Yan, X. (2015). Learning Structured Output Representation "
            "using Deep Conditional Generative Models. NeurIPS, eq. (4).",
        ),
    )
