"""The claims of the lecture notes (source 001): every numbered equation (1)-(47) and every
numbered theorem, corollary, definition, example and algorithm, in the order of the notes."""

from __future__ import annotations

from rtverify.claims.errata import erratum
from rtverify.claims.model import (
    CORRECTED,
    NOT_APPLICABLE,
    VERIFIED,
    Claim,
    Link,
    derivation,
    test,
)

__all__ = ["notes_claims"]

_SI, _PL, _GK = (
    derivation("score-identity"),
    derivation("pathwise-leibniz"),
    derivation("gaussian-kl"),
)
_LD, _EV, _EI = (
    derivation("log-det-jacobian"),
    derivation("estimator-variance"),
    derivation("elbo-identity"),
)
_NE, _SD = derivation("notes-errata"), derivation("source-documents")
_ERRATA_TESTS = (
    test("test_errata.py", "test_the_correct_form_is_proved"),
    test("test_errata.py", "test_the_erroneous_form_fails_the_check"),
)
_BOUND = test("test_elbo_bounds.py", "test_elbo_is_at_most_log_evidence_for_any_q")
_GAP = test("test_elbo_bounds.py", "test_log_evidence_is_elbo_plus_kl_to_the_posterior")


def _v(place: str, claim: str, *evidence: Link, note: str = "") -> Claim:
    return Claim(f"001 {place}", claim, VERIFIED, evidence, note)


def _na(place: str, claim: str, reason: str) -> Claim:
    return Claim(f"001 {place}", claim, NOT_APPLICABLE, note=reason)


def _c(place: str, claim: str, *evidence: Link, note: str = "", of: str = "") -> Claim:
    """A corrected claim; ``of`` names the equation whose erratum it shares."""
    cid = f"001 {place}"
    fixed = erratum(f"001 {of}" if of else cid)
    return Claim(cid, claim, CORRECTED, (*evidence, *_ERRATA_TESTS), note, fixed)


def notes_claims() -> tuple[Claim, ...]:
    """The claims of source 001, in the order of the notes."""
    model = "a modelling assumption (definition), nothing to verify"
    return (
        _v(
            "Example 1.1",
            "a classifier's softmax output parameterises Y | X",
            test("test_errata.py", "test_a_softmax_output_is_a_probability_vector"),
            note="checked: every softmax output is a probability vector (positive, sums to 1), "
            "so it parameterises a categorical law (Multinomial with one trial)",
        ),
        _na("eq. (1)", "$Y \\mid X = x \\sim \\mathrm{Multinomial}(f_\\beta(x))$", model),
        _na(
            "eq. (2)",
            "$p_\\theta(x, z) = p_\\theta(x \\mid z) p(z)$",
            "the definition of the joint (product rule), nothing to verify",
        ),
        _na(
            "eq. (3)",
            "$p(x) = \\int p_\\theta(x \\mid z) p(z)\\,dz$ (intractable)",
            "the definition of the marginal (sum rule); 'intractable' is prose. The exact "
            "evidences of rtverify's tractable models are tested in tests/test_models.py",
        ),
        _c(
            "Example 1.2",
            "Bernoulli–Bernoulli RBM: likelihood (4) and marginal (5)",
            _NE,
            test("test_models.py", "test_binary_latent_bernoulli_evidence_matches_the_sum_of_eq_5"),
            note="see eq. (4)-(5); the prior is stated as N(0, I) but summed over binary z",
            of="eq. (4)",
        ),
        _c(
            "eq. (4)",
            "Bernoulli likelihood $p(x \\mid z) = \\prod_i [D_\\beta(z)]_i^{x_i}"
            "(1 - [D_\\beta(z)]_d)^{1 - x_i}$",
            _NE,
        ),
        _c(
            "eq. (5)",
            "$p(x) = \\sum_{z \\in \\{0,1\\}^k} \\prod_i \\ldots\\, p(z)$",
            _NE,
            test("test_models.py", "test_binary_latent_bernoulli_evidence_matches_the_sum_of_eq_5"),
        ),
        _na(
            "eq. (6)",
            "$p(z \\mid x) \\approx q_\\phi(z \\mid x) = q_{E_\\phi(x)}(z)$",
            "a modelling assumption; notation slip: the encoder is E_α (φ = E_α(x)), not E_φ",
        ),
        Claim(
            "001 Example 1.3",
            "an encoder net outputs φ = (μ, log σ²) of q(z | x); 'σ is just the vector "
            "representing variances'",
            CORRECTED,
            (_SD, test("test_errata.py", "test_sigma_is_the_standard_deviation_not_the_variance")),
            note="σ is the vector of standard deviations (σ² the variances: exp(½ log σ²) = σ, "
            "checked in source-documents, eq. (43)); the title says 'Parameters of Likelihood' "
            "but the encoder parameterises the approximate posterior",
            correct_text="σ: standard deviations; σ² = exp(log σ²): variances",
        ),
        _na(
            "eq. (7)",
            "$q_\\phi(z \\mid x) \\sim \\mathcal{N}(E_\\alpha(x)) = \\mathcal{N}(\\mu, \\sigma^2)$",
            "a modelling assumption; with φ = (μ, log σ²), N(φ) is shorthand",
        ),
        _na(
            "Definition 1.1",
            "VAE: prior, decoder p_θ(x | z), encoder q_φ(z | x)",
            "a definition; notation slips: 'latent variable z ∼ X' should be z ∼ Z, and "
            "'optimize θ, λ' should be θ, φ",
        ),
        _v(
            "eq. (8)",
            "(untagged first line of (9)) $\\log p_\\theta(x) = \\mathrm{KL}(q \\Vert "
            "p_\\theta(z \\mid x)) + E_q[\\log p_\\theta(x, z)] - E_q[\\log q]$",
            _EI,
            _GAP,
            note="no equation is tagged (8) in the text: the first line of display (9) carries "
            "no tag, so it is taken as (8); it holds",
        ),
        _v(
            "eq. (9)",
            "$\\log p_\\theta(x) \\ge \\mathrm{ELBO}(x, \\phi, \\theta)$",
            _EI,
            _BOUND,
            note="holds since KL ≥ 0; equality iff q is the posterior",
        ),
        _v(
            "eq. (10)",
            "the dataset ELBO bounds $\\sum_i \\log p_\\theta(x^{(i)})$",
            _BOUND,
            note="the sum of (9) over the data points, for any q per point; nothing beyond (9)",
        ),
        Claim(
            "001 text after eq. (10)",
            "'minimizing the KL divergence is equivalent to maximizing the ELBO w.r.t. θ and φ'",
            CORRECTED,
            (_EI, test("test_errata.py", "test_the_evidence_depends_on_theta")),
            note="log p_θ(x) = ELBO + KL: for fixed θ the two are equivalent in φ, but log p_θ(x) "
            "depends on θ (d/dm₀ log p(x) = (x − m₀)/(s₀² + s²) ≠ 0 in the Normal–Normal model), "
            "so in θ maximizing the ELBO also raises the evidence",
            correct_text="for fixed θ: min_φ KL ⟺ max_φ ELBO; in θ the ELBO is maximized, not "
            "the KL minimized",
        ),
        _na(
            "eq. (11)",
            "Gaussian decoder $p_\\theta(x \\mid z) = \\mathcal{N}(\\mu, \\sigma^2 I)$",
            model + "; (the sentence before says it approximates 'the true posterior': it is "
            "the likelihood)",
        ),
        _na(
            "eq. (12)",
            "Bernoulli decoder $p_\\theta(x \\mid z) = \\mathrm{Bernoulli}(\\theta)$",
            model,
        ),
        _na(
            "eq. (13)",
            "diagonal Gaussian encoder $q_\\phi(z \\mid x) = \\mathcal{N}(\\mu, \\sigma^2 I)$",
            model,
        ),
        _c(
            "Example 1.4",
            "softmax: the log-likelihood 'is the cross entropy'",
            _NE,
            note="see eq. (14)",
        ),
        _c(
            "eq. (14)",
            "$\\log p(y \\mid x) = p_\\theta(y) = \\sum_i y_j \\log \\hat\\theta_j$",
            _NE,
        ),
        _v(
            "eq. (15)",
            "$\\log p(y^{(i)} \\mid x^{(i)}) = \\log E_{y \\sim \\hat\\theta}[1\\{y^{(i)} = y\\}]$",
            _SD,
            note="holds (superscript typo y^i for y^{(i)})",
        ),
        _v(
            "eq. (16)",
            "$= \\log \\int 1\\{y^{(i)} = y\\} p_{\\hat\\theta}(y)\\,dy$",
            _SD,
            note="holds with the integral read as a sum (counting measure): y is discrete",
        ),
        _v(
            "eq. (17)",
            "$\\approx \\log \\frac{1}{K}\\sum_k 1\\{y^{(i)} = y^{(i,k)}\\}$",
            _SD,
            note="the frequency is unbiased for p; its log is consistent but biased "
            "(−∞ with probability (1 − θ̂_y)^K)",
        ),
        _v(
            "Theorem 1.1",
            "ELBO = E_q[log p(x | z)] + ½ Σ_d (1 + log σ_d² − μ_d² − σ_d²)",
            _EI,
            _GK,
            note="holds; the proof as printed has wrong steps (20), (24), (25)",
        ),
        _na(
            "eq. (18)",
            "$\\mathrm{ELBO} := E_q[\\log p(x \\mid z)] + E_q[\\log p(z)] - E_q[\\log q]$",
            "a definition (consistent with (9) by (2)); elbo-identity starts from it",
        ),
        _v(
            "eq. (19)",
            "$= E_q[\\log p(x \\mid z)] + \\tfrac12 \\sum_d (1 + \\log \\sigma_d^2 - "
            "\\mu_d^2 - \\sigma_d^2)$",
            _EI,
            _GK,
            note="holds; it follows from (22) and the corrected (25), not the printed one",
        ),
        _c("eq. (20)", "$E_q[\\log p(z)] = \\int \\log p(z)\\, q_\\phi(z \\mid x)\\,dx$", _NE),
        _v(
            "eq. (21)",
            "$= \\int \\log \\mathcal{N}(z \\mid 0, I)\\, \\mathcal{N}(z \\mid \\mu, "
            "\\sigma^2)\\,dz$",
            _NE,
            note="holds (chain 'E_q[log p(z)]', step 1)",
        ),
        _v(
            "eq. (22)",
            "$= -\\tfrac D2 \\log 2\\pi - \\tfrac12 \\sum_d \\mu_d^2 + \\sigma_d^2$",
            _NE,
            _GK,
            note="holds, reading the sum over (μ_d² + σ_d²) (parentheses missing)",
        ),
        _v(
            "eq. (23)",
            "$E_q[\\log q] = \\int \\log q_\\phi(z \\mid x)\\, q_\\phi(z \\mid x)\\,dz$",
            _NE,
            note="the definition of the expectation, with dz; the chain starts from it",
        ),
        _c(
            "eq. (24)",
            "$= \\int \\log \\mathcal{N}(z \\mid \\mu, \\sigma^2)\\, \\mathcal{N}(z \\mid "
            "\\mu, \\sigma^2)\\,dx$",
            _NE,
        ),
        _c("eq. (25)", "$= -\\tfrac D2 \\sum_d (1 + \\log \\sigma_d^2)$", _NE, _GK),
        _c(
            "Corollary 1.1",
            "Bernoulli likelihood: the ELBO estimate (26)",
            _NE,
            note="see eq. (26)",
            of="eq. (26)",
        ),
        _c(
            "eq. (26)",
            "$\\mathrm{ELBO} = \\frac1L \\sum_l + \\tfrac12 \\sum_d (1 + \\log "
            "\\sigma_d^2 - \\mu_d^2 - \\sigma_d^2)$",
            _NE,
        ),
        _v(
            "eq. (27)",
            "score function: $\\nabla_\\phi E_q[f] = E_q[f \\nabla_\\phi \\log q_\\phi]$",
            _SI,
            test("test_estimators.py", "test_score_estimator_is_unbiased"),
            note="holds under stated hypotheses: a domination condition (score-identity); "
            "proved in closed form for the test family",
        ),
        Claim(
            "001 text before Theorem 1.2",
            "averaging the noisy gradients approximates 'the true gradient w.r.t. x^{(i)}'",
            CORRECTED,
            (_SD,),
            note="the gradient is taken w.r.t. the variational parameters φ^{(i)} = E_α(x^{(i)}) "
            "(and through them α), not w.r.t. the data point x^{(i)}; eq. (46) (source-documents) "
            "is that gradient",
            correct_text="the true gradient w.r.t. φ^{(i)} (or α)",
        ),
        Claim(
            "001 Theorem 1.2",
            "reparameterization trick, eq. (28)-(29), 'where f is any differentiable function'",
            CORRECTED,
            (
                _PL,
                test(
                    "test_estimators.py", "test_pathwise_estimator_is_unbiased_where_leibniz_holds"
                ),
                test(
                    "test_soundness.py", "test_differentiable_is_not_enough_for_the_pathwise_step"
                ),
            ),
            note="holds under stated hypotheses (pathwise-leibniz); 'any differentiable f' is "
            "neither enough -- f(x) = x² sin(1/x²) is differentiable but f′ is not locally "
            "integrable, and the engine rejects its pathwise step -- nor needed: ReLU is not "
            "differentiable at 0 yet the trick holds for it",
            correct_text="f absolutely continuous with |∇_φ f(g_φ(ε))| dominated by an integrable "
            "function near φ",
        ),
        _v(
            "eq. (28)",
            "$\\nabla_\\phi E_q[f(z)] = \\nabla_\\phi E_\\epsilon[f(g_\\phi)] = "
            "E_\\epsilon[\\nabla_\\phi f(g_\\phi)]$",
            _PL,
        ),
        _v("eq. (29)", "(28) written as integrals", _PL),
        _v("eq. (30)", "the second equality of (28) ⟺ its integral form", _PL),
        _v(
            "eq. (31)",
            "Leibniz rule: $\\nabla_\\phi \\int f(g_\\phi) p(\\epsilon)\\,d\\epsilon = "
            "\\int \\nabla_\\phi f(g_\\phi) p(\\epsilon)\\,d\\epsilon$",
            _PL,
            note="holds under stated hypotheses (pathwise-leibniz): p(ε) free of φ (checked), "
            "f ∘ g absolutely continuous, domination (stated)",
        ),
        _v("eq. (32)", "restates (28)", _PL),
        Claim(
            "001 text after eq. (32)",
            "the reparameterization estimate 'converges much faster' than the log-derivative trick",
            CORRECTED,
            (
                _EV,
                test("test_notebook_claims.py", "test_notebook_variances_scale_as_87_and_4_over_n"),
            ),
            note="both estimators are averages of N independent samples and converge at the same "
            "rate N^{-1/2}; only the constant differs: variances 87/N and 4/N at θ = 2 (and the "
            "order can reverse for other f: estimator-variance)",
            correct_text="same rate N^{-1/2}, smaller constant: Var = 4/N vs 87/N at θ = 2",
        ),
        _v(
            "Example 1.5",
            "∇E[x²] for q = N(φ, 1) by the score function and by reparameterization, eq. (33)-(41)",
            _SI,
            _PL,
            _EV,
        ),
        _v(
            "eq. (33)",
            "$\\min_\\phi E_q[x^2]$ (optimum φ = 0)",
            _SD,
            note="E_q[x²] − 1 = φ², a square: the minimum 1 is at φ = 0 (source-documents)",
        ),
        _v("eq. (34)", "$\\nabla_\\phi E_q[x^2] = \\nabla_\\phi \\int q_\\phi(x) x^2\\,dx$", _SI),
        _v(
            "eq. (35)",
            "$= \\int x^2 \\nabla_\\phi q_\\phi(x) \\frac{q_\\phi}{q_\\phi}\\,dx$",
            _SI,
            note="holds (Leibniz rule; multiply by q/q = 1)",
        ),
        _v("eq. (36)", "$= \\int q_\\phi(x) \\nabla_\\phi \\log q_\\phi(x) x^2\\,dx$", _SI),
        _v("eq. (37)", "$= E_q[x^2 \\nabla_\\phi \\log q_\\phi(x)]$", _SI),
        _v("eq. (38)", "$\\nabla_\\phi E[x^2] = E_q[x^2 (x - \\phi)]$", _SI, _EV),
        _na(
            "eq. (39)",
            "$x = \\phi + \\epsilon,\\ \\epsilon \\sim N(0, 1)$",
            "a definition (the reparameterization of N(φ, 1))",
        ),
        _v("eq. (40)", "$E_q[x^2] = E_\\epsilon[(\\phi + \\epsilon)^2]$", _PL),
        _v(
            "eq. (41)",
            "$\\nabla_\\phi E_p[(\\phi + \\epsilon)^2] = E_p[2(\\phi + \\epsilon)]$",
            _PL,
            _EV,
        ),
        Claim(
            "001 Example 1.5 (variance)",
            "the reparameterization estimates' variance is 'an order of magnitude smaller'",
            CORRECTED,
            (
                _SD,
                _EV,
                test("test_errata.py", "test_example_1_5_ratio_is_below_ten_at_the_optimum"),
            ),
            note="the per-sample ratio Var(score)/Var(pathwise) = (φ⁴ + 14φ² + 15)/4 depends on "
            "φ: it is ≥ 10 only for |φ| ≥ √(√74 − 7) ≈ 1.266 (21.75 at the notebook's φ = 2); "
            "at the optimum φ = 0 it is 15/4. Figure 6 (the notebook's plot) plots the "
            "variances against the index, not N",
            correct_text="ratio ≥ 10 ⟺ φ² ≥ √74 − 7; ratio(0) = 15/4",
        ),
        _v(
            "eq. (42)",
            "$g_\\phi = \\phi_\\mu + \\sqrt{\\phi_\\sigma} \\odot \\epsilon = \\mu + "
            "\\sigma \\odot \\epsilon$",
            _SD,
            _LD,
            note="holds; 'can be used to model p(z)' after (43) means q(z | x)",
        ),
        Claim(
            "001 text after eq. (43)",
            "'any distribution that is differentiable with respect to its parameters can be "
            "reparameterized by inverting the multivariate CDF'",
            CORRECTED,
            (
                test(
                    "test_errata.py", "test_an_inverse_cdf_sample_of_a_discrete_law_has_no_gradient"
                ),
            ),
            note="false for discrete laws: the inverse-CDF Bernoulli sample 1[u < p] has "
            "derivative 0 in p for almost every u, while d/dp E[z] = 1; and a multivariate CDF "
            "is not invertible (it maps ℝᴰ to [0, 1]): the construction inverts the conditional "
            "CDFs one coordinate at a time, for continuous laws",
            correct_text="continuous laws with differentiable conditional CDFs: z_d = "
            "F_d⁻¹(u_d | z_{<d}) (implicit reparameterization)",
        ),
        _v(
            "eq. (43)",
            "$g_\\phi = \\mu + e^{\\phi_\\sigma/2} \\odot \\epsilon$ for "
            "$\\phi_\\sigma = 2\\log\\sigma$",
            _SD,
        ),
        Claim(
            "001 Theorem 1.3",
            "change of variables (called 'change of basis'), eq. (44), stated without conditions",
            CORRECTED,
            (_LD, test("test_errata.py", "test_the_change_of_variables_needs_a_bijection")),
            note="it is the change-of-variables formula, not a change of basis, and it needs ε ↦ z "
            "to be a bijection (with differentiable inverse): for z = ε² the formula gives half "
            "the density of z (refuted)",
            correct_text="log q(z) = log p(ε) − log|det ∂z/∂ε| for z = g_φ(ε, x) a diffeomorphism "
            "of ε",
        ),
        _v(
            "eq. (44)",
            "$\\log q_\\phi(z \\mid x) = \\log p(\\epsilon) - \\log\\lvert\\det "
            "\\partial z/\\partial\\epsilon\\rvert$",
            _LD,
            note="checked for the affine maps the notes apply it to, (42)-(45) (instances "
            "D ≤ 8); in general it needs the bijection of Theorem 1.3 (corrected)",
        ),
        _v("Corollary 1.2", "the log-determinant of the diagonal affine map, eq. (45)", _LD),
        _v(
            "eq. (45)",
            "$\\partial z/\\partial\\epsilon = \\mathrm{diag}(\\sigma) \\Rightarrow "
            "\\log\\lvert\\det\\rvert = \\sum_i \\log\\sigma_i$",
            _LD,
            note="the Jacobian diag(σ) and its determinant are computed at D = 1 … 8 "
            "(instances); log ∏ σ_i = Σ log σ_i is proved for symbolic D",
        ),
        _v(
            "Corollary 1.3",
            "AEVB: gradient (46) and its L-sample estimate",
            _SD,
            test("test_errata.py", "test_eq_46_holds_only_with_the_total_derivative"),
            note="unbiased for any L; 'gradient of the log posterior' in the text means the "
            "log-likelihood / log-joint",
        ),
        _v(
            "eq. (46)",
            "$\\nabla_\\phi \\mathrm{ELBO} = E_{p(\\epsilon)}[\\nabla_\\phi \\log "
            "p_\\theta(x \\mid z) - \\nabla_\\phi \\log q_\\phi(z \\mid x) + \\nabla_\\phi \\log "
            "p(z)]$",
            _SD,
            test("test_errata.py", "test_eq_46_holds_only_with_the_total_derivative"),
            note="holds with z = g_φ(ε, x) and ∇_φ the total derivative through z (as the next "
            "display writes); with z held fixed it is false. Signs and terms are right",
        ),
        _na(
            "Algorithm 1.1", "VAE implementation", "a link to external code ('see here'), no claim"
        ),
        _na(
            "section 2",
            "Importance Weighted Autoencoders",
            "heading only, no claim in the notes; rtverify's IWAE bound is tested in "
            "tests/test_elbo_bounds.py (e.g. test_iwae_bound_never_decreases_with_k)",
        ),
        _na("section 3", "Fisher Autoencoders", "heading only, no content in the notes"),
        _c(
            "Definition 4.1",
            "the conditional ELBO (47)",
            _NE,
            test("test_models.py", "test_conditional_model_given_c_has_the_conditional_evidence"),
            note="see eq. (47)",
            of="eq. (47)",
        ),
        _c(
            "eq. (47)",
            "$E_{q_\\phi(z \\mid x)}[\\log p_\\theta(x \\mid z, c) - "
            "\\mathrm{KL}(q_\\phi(z \\mid x, c) \\Vert p(z \\mid c))]$",
            _NE,
        ),
    )
