"""Errata of the lecture notes (source 001): each wrong formula's correct form, proved.

The objects (the quantity from its definition, the correct form, the notes' form) live in
:mod:`rtverify.claims.errata`; this derivation proves ``quantity = correct form`` for each, and
``tests/test_errata.py`` shows that the notes' form fails the same check. The page
``docs/source-claims.md`` lists the errata with what was wrong.

Eq. (4)-(5) Bernoulli likelihood and marginal (index typo), (14) softmax log-likelihood (missing
log), Example 1.4 (negative cross entropy), (20)-(22) E_q[log p(z)] and (23)-(25) E_q[log q]
(dx for dz; missing −(D/2) log 2π and a wrong factor), (26) the Bernoulli ELBO estimate (missing
reconstruction term), (47) the conditional ELBO (mismatched encoders).
"""

from __future__ import annotations

import sympy as sp

from rtverify.claims.errata import (
    entropy_term_integral,
    erratum,
    expected_log_prior,
    expected_log_q,
    prior_term_integral,
)
from rtverify.derivation import Chain, Derivation, Step

from ._common import gaussian_terms, mu, sigma

__all__ = ["ORDER", "derivation"]

ORDER = 20
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 0.95


def _one_step(claim_id: str, title: str, why: str, text: str = "") -> Chain:
    """The chain ``erratum.lhs = erratum.correct`` of one erratum."""
    e = erratum(claim_id)
    return Chain(
        f"{title} ({claim_id.removeprefix('001 ')})",
        e.lhs,
        (Step(e.correct, why, prepare=e.prepare),),
        text=text or f"Checked instance: {e.instance}. Wrong in the notes: {e.wrong}.",
    )


def _prior_term_chain() -> Chain:
    """Eq. (20)-(22): E_q[log p(z)] as a dz-integral and in closed form."""
    e20 = erratum("001 eq. (20)")
    return Chain(
        "E_q[log p(z)] (eq. (20)-(22), dz not dx)",
        expected_log_prior(mu),
        (
            Step(
                prior_term_integral(mu),
                "substitute z = μ + σε, dz = σ dε (eq. (20)-(21) with dz)",
                prepare=gaussian_terms,
            ),
            Step(
                -sp.log(2 * sp.pi) / 2 - (mu**2 + sigma**2) / 2,
                "Gaussian moments E[z] = μ, E[z²] = μ² + σ² (eq. (22), D = 1)",
                prepare=gaussian_terms,
            ),
        ),
        text=f"Per coordinate (a diagonal q makes both sides sums over d). Wrong in the notes: "
        f"{e20.wrong}. Eq. (22) holds (read as −½ Σ_d (μ_d² + σ_d²)).",
    )


def _entropy_chain() -> Chain:
    """Eq. (23)-(25): E_q[log q] in one dimension, as a dz-integral."""
    e24 = erratum("001 eq. (24)")
    return Chain(
        "E_q[log q] in one dimension (eq. (23)-(24), dz not dx)",
        expected_log_q(mu),
        (
            Step(
                entropy_term_integral(mu),
                "substitute z = μ + σε, dz = σ dε",
                prepare=gaussian_terms,
            ),
            Step(
                -sp.log(2 * sp.pi) / 2 - (1 + sp.log(sigma**2)) / 2,
                "E[ε²] = 1: minus the entropy of N(μ, σ²)",
                prepare=gaussian_terms,
            ),
        ),
        text=f"Wrong in the notes: {e24.wrong}.",
    )


def derivation() -> Derivation:
    """The corrected formulas of the lecture notes, each proved in a concrete instance."""
    return Derivation(
        slug="notes-errata",
        title="Errata of the lecture notes (M. Bahng, Variational Autoencoders)",
        summary="correct forms of notes eq. (4), (5), (14), (20), (24), (25), (26), (47), "
        "Example 1.4",
        scope="the instances named in each chain",
        chains=(
            _one_step(
                "001 eq. (4)",
                "Bernoulli likelihood, index i not d",
                "a probability distribution over x sums to 1: Σ over x ∈ {0, 1}³ of the "
                "product of the pixels' Bernoulli probabilities",
            ),
            _one_step(
                "001 eq. (5)",
                "Bernoulli marginal over a binary latent",
                "Σ over x ∈ {0, 1}³ of the marginal (sum rule over z ∈ {0, 1}, then eq. (4)) is 1",
            ),
            _one_step(
                "001 eq. (14)",
                "Softmax log-likelihood",
                "log of a product: log ∏ θ̂_j^{y_j} = Σ_j y_j log θ̂_j",
            ),
            _one_step(
                "001 Example 1.4",
                "The log-likelihood is minus the cross entropy",
                "−H(y, θ̂) = Σ_j y_j log θ̂_j",
            ),
            _prior_term_chain(),
            _entropy_chain(),
            _one_step(
                "001 eq. (25)",
                "E_q[log q] for D = 2",
                "Gaussian moments per coordinate: −(D/2) log 2π − ½ Σ_d (1 + log σ_d²)",
            ),
            _one_step(
                "001 eq. (26)",
                "Bernoulli ELBO estimate keeps the reconstruction term",
                "linearity of E; E_q[log p(z)] − E_q[log q] = ½(1 + log σ² − μ² − σ²)",
            ),
            _one_step(
                "001 eq. (47)",
                "Conditional ELBO under one encoder",
                "linearity of E; KL(q ‖ p(z | c)) = E_q[log q − log p(z | c)]",
            ),
        ),
        text=(
            "Each chain starts from the quantity's definition (an expectation written as an "
            "integral in ε, a likelihood from `sympy.stats`) and ends at the corrected form of "
            "the notes' equation, in the concrete instance named under the chain. The notes' own "
            "forms fail the same check: `tests/test_errata.py`. The list of all claims of the "
            "sources with their status is [source-claims](../source-claims.md)."
        ),
        references=(
            "M. Bahng, Variational Autoencoders (lecture notes, source 001), eq. (4)-(47)",
            "Kingma & Welling, Auto-Encoding Variational Bayes (2014), App. B, C.1",
            "Sohn, Lee & Yan, Learning Structured Output Representation using Deep Conditional "
            "Generative Models (NeurIPS 2015), eq. (4)",
        ),
    )
