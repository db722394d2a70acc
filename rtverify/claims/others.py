"""The claims of the notebook (000), the Q&A (002) and the blog post (003)."""

from __future__ import annotations

from rtverify.claims.errata import erratum
from rtverify.claims.model import CORRECTED, NOT_APPLICABLE, VERIFIED, Claim, derivation, test

__all__ = ["blog_claims", "notebook_claims", "qa_claims"]

_SI, _PL, _EV = (
    derivation("score-identity"),
    derivation("pathwise-leibniz"),
    derivation("estimator-variance"),
)
_EI, _SD = derivation("elbo-identity"), derivation("source-documents")
_NB = "test_notebook_claims.py"
_ERRATA_TESTS = (
    test("test_errata.py", "test_the_correct_form_is_proved"),
    test("test_errata.py", "test_the_erroneous_form_fails_the_check"),
)
_VAR = test("test_variance_claims.py", "test_empirical_x_squared_variances_match_the_exact_ones")


def notebook_claims() -> tuple[Claim, ...]:
    """Source 000: the Jupyter notebook on q = N(θ, 1), f = x²."""
    return (
        Claim(
            "000 markdown",
            "$\\nabla_\\theta E_q[x^2] = E_q[x^2 \\nabla_\\theta \\log q_\\theta]"
            " = E_q[x^2 (x - \\theta)]$ for $q = N(\\theta, 1)$",
            VERIFIED,
            (_SI, _EV),
        ),
        Claim(
            "000 cell [64]",
            "grad1 (score) and grad2 (pathwise) print 3.8687 and 4.0351 at θ = 2, N = 1000",
            VERIFIED,
            (
                _EV,
                test(_NB, "test_printed_numbers_are_consistent_with_the_exact_moments"),
                test(_NB, "test_the_notebook_estimators_are_the_reference_estimators"),
            ),
            note="both estimate ∇E[x²] = 2θ = 4 with per-sample variances θ⁴ + 14θ² + 15 = 87 "
            "and 4; they share ε (x = θ + ε), so they are judged jointly: per-sample covariance "
            "14, correlation 14/√(87·4) = 0.75, and the joint statistic dᵀΣ⁻¹d = 2.00 on 2 "
            "degrees of freedom (p = 0.37) is consistent",
        ),
        Claim(
            "000 cell [64] grad2",
            "`grad2 = lambda eps: np.sum(2*(theta + eps)) / x.size`",
            CORRECTED,
            (test(_NB, "test_grad2_divides_by_the_global_x_size"),),
            note="divides by the global x.size, which happens to equal eps.size in cells [64] "
            "and [66] (x is redrawn with the same N); with another eps length the estimate is "
            "scaled by len(eps)/x.size",
            correct_text="`np.mean(2*(theta + eps))`",
        ),
        Claim(
            "000 cell [66]",
            "variances of both estimators over 100 repetitions for N = 10 … 10⁵",
            VERIFIED,
            (_EV, _VAR, test(_NB, "test_notebook_variances_scale_as_87_and_4_over_n")),
            note="outputs not shown in the notebook; the variances are 87/N and 4/N exactly",
        ),
        Claim(
            "000 cell [67]",
            "`plt.plot(vars1); plt.plot(vars2)` shows the variance against N",
            CORRECTED,
            (test(_NB, "test_notebook_variances_scale_as_87_and_4_over_n"),),
            note="plots against the index 0…4, not N, on linear axes (the curves fall by "
            "10× per point); Python 2 prints",
            correct_text="`plt.loglog(Ns, vars1); plt.loglog(Ns, vars2)`: two lines of slope −1, "
            "87/N and 4/N",
        ),
    )


def qa_claims() -> tuple[Claim, ...]:
    """Source 002: the Q&A on the variance of the two estimators."""
    return (
        Claim(
            "002 eq. (1)",
            "score-function estimator $\\nabla_\\phi E_q[f] = E_q[f \\nabla_\\phi \\log q_\\phi]$",
            VERIFIED,
            (_SI, test("test_estimators.py", "test_score_estimator_is_unbiased")),
        ),
        Claim(
            "002 eq. (2)",
            "reparameterization $\\nabla_\\phi E_q[f] = E_\\epsilon[\\nabla_\\phi "
            "f(\\mu_\\phi + \\epsilon \\sigma_\\phi)]$",
            VERIFIED,
            (
                _PL,
                test(
                    "test_estimators.py", "test_pathwise_estimator_is_unbiased_where_leibniz_holds"
                ),
            ),
            note="needs f differentiable (a.e., with domination); the question assumes only "
            "continuity",
        ),
        Claim(
            "002 question",
            "(1) has a higher variance than (2), for every f",
            CORRECTED,
            (
                _EV,
                test(
                    "test_variance_claims.py",
                    "test_bump_variances_are_ordered_as_the_threshold_says",
                ),
                test(
                    "test_variance_claims.py", "test_cos_variance_ordering_follows_the_thresholds"
                ),
                test(
                    "test_variance_claims.py",
                    "test_pathwise_estimator_is_biased_on_the_step_but_the_score_estimator_is_not",
                ),
            ),
            note="holds for Gaussian q and quadratic f (Xu et al. 2019, 'Variance reduction "
            "properties of the reparameterization trick'), e.g. f = z² for every θ; fails for "
            "exp(−kz²) with k > 1/(2σ²), for cos(kz) with kσ > 1.109, and for a step function "
            "the pathwise estimator is not even unbiased",
            correct_text="Var(pathwise) ≤ Var(score) for quadratic f under Gaussian q; not in "
            "general",
        ),
        Claim(
            "002 answer, J(φ)",
            "$J(\\phi) = \\int r(\\mu + \\epsilon\\sigma) \\mathcal{N}(\\epsilon \\mid 0, 1)\\,dz$",
            CORRECTED,
            (_SD, *_ERRATA_TESTS),
            erratum=erratum("002 answer, J(φ)"),
        ),
        Claim(
            "002 answer, estimators",
            "$\\hat E_1$ (score) and $\\hat E_2$ (pathwise) are both valid estimators of ∇J",
            VERIFIED,
            (
                test("test_estimators.py", "test_score_estimator_is_unbiased"),
                test(
                    "test_estimators.py", "test_pathwise_estimator_is_unbiased_where_leibniz_holds"
                ),
            ),
        ),
        Claim(
            "002 answer, doubt",
            "'I doubt that this result would hold for all functions r'",
            VERIFIED,
            (
                _EV,
                test(
                    "test_variance_claims.py",
                    "test_bump_variances_are_ordered_as_the_threshold_says",
                ),
            ),
            note="right: see '002 question'",
        ),
    )


def blog_claims() -> tuple[Claim, ...]:
    """Source 003: the blog post 'The reparametrization trick'."""
    return (
        Claim(
            "003 score function",
            "$\\nabla_\\theta \\log f = \\nabla_\\theta f / f$, so "
            "$\\nabla_\\theta f = f \\nabla_\\theta \\log f$, applied to f(x; θ)",
            CORRECTED,
            (_SD, _SI),
            note="the identity holds for any positive f, but the post applies it to the "
            "integrand f(x; θ) in θ, while ∇_φ E_{q(x; φ)}[f] needs it for the density q(x; φ) "
            "in φ (score-identity)",
            correct_text="∇_φ q(x; φ) = q(x; φ) ∇_φ log q(x; φ)",
        ),
        Claim(
            "003 gradient display",
            "$\\nabla_\\phi E_q[f] = \\nabla_\\phi \\int q f = \\int "
            "\\nabla_\\phi q f = \\int \\nabla_\\phi q f$",
            VERIFIED,
            (_SI,),
            note="every equality holds, but the last repeats the previous member: the "
            "derivation stops before the score form E_q[f ∇_φ log q] it set up (score-identity "
            "completes it); pushing ∇ inside needs the Leibniz conditions",
        ),
        Claim(
            "003 KL decomposition",
            "$\\mathrm{KL}(q \\Vert p(z \\mid x)) = = \\int q \\log q - "
            "\\int q \\log p(x, z) + \\log p(x)$",
            VERIFIED,
            (
                _EI,
                test("test_elbo_bounds.py", "test_log_evidence_is_elbo_plus_kl_to_the_posterior"),
            ),
            note="holds (KL = −ELBO + log p(x)); typo '= ='",
        ),
        Claim(
            "003 gradient of the lower bound",
            "'take the gradient of the lower bound': "
            "$\\nabla_\\theta \\int q \\log q - \\nabla_\\theta \\int q \\log p(x, z)$",
            CORRECTED,
            (_SD, *_ERRATA_TESTS),
            erratum=erratum("003 gradient of the lower bound"),
        ),
        Claim(
            "003 history",
            "proposed in 2014 (Kingma & Welling), it opened VI to deep nets",
            NOT_APPLICABLE,
            note="history and prose, nothing to verify",
        ),
    )
