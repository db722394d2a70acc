"""KL divergences between Gaussians, by integration in ε.

- ``KL(N(μ, σ²) ‖ N(0, 1)) = ½(σ² + μ² − 1 − log σ²)`` (Kingma & Welling 2014, App. B;
  notes eq. (19)),
- the diagonal D-dimensional case, with its two halves ``E_q[log p(z)]`` and ``E_q[log q(z)]``
  (notes eq. (20)-(25)),
- two univariate Gaussians with all four parameters symbolic,
- full covariance: ``½[tr(Σ₂⁻¹Σ₁) + (μ₂−μ₁)ᵀΣ₂⁻¹(μ₂−μ₁) − k + ln(det Σ₂ / det Σ₁)]``.

Every expectation over q is an integral over ε ∼ N(0, I) with z = μ + σ ⊙ ε or z = μ₁ + L₁ε;
in z SymPy does not finish the full-covariance case.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

from ._common import (
    eps,
    eps_vector,
    expect,
    expect_multi,
    gaussian_terms,
    log_normal_density,
    lower_triangular,
    mu,
    normal_density,
    phi,
    sigma,
)

__all__ = [
    "DIAGONAL_D",
    "FULL_COVARIANCE_D",
    "ORDER",
    "D",
    "derivation",
    "entropy_chain",
    "full_covariance_chain",
    "kl_gap_integral",
    "kl_standard_normal",
]

ORDER = 3
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 2.5

#: Dimension of the diagonal instance that checks the reduction of the D-dimensional integral to
#: a sum of one-dimensional ones (linearity and Fubini); the sum itself is proved for symbolic D.
DIAGONAL_D = 3
#: Dimensions at which the full-covariance formula and the entropy are checked on the page
#: (instances); both are checked at k = 3 in tests/test_derivations.py (their displays are wider
#: than a page).
FULL_COVARIANCE_D = (2,)
ENTROPY_D = (2,)

#: Symbolic dimension D, coordinate index d and per-coordinate parameters μ_d, σ_d.
D = sp.Symbol("D", integer=True, positive=True)
_d = sp.Symbol("d", integer=True, positive=True)
_mu = sp.IndexedBase("mu", real=True)
_sigma = sp.IndexedBase("sigma", positive=True)


def kl_standard_normal(m: sp.Expr, s: sp.Expr) -> sp.Expr:
    """KL(N(m, s²) ‖ N(0, 1)) = ½(s² + m² − 1 − log s²) (Kingma & Welling 2014, App. B)."""
    return (s**2 + m**2 - 1 - sp.log(s**2)) / 2


def _standard_chain() -> Chain:
    z = mu + sigma * eps
    return Chain(
        "KL(N(μ, σ²) ‖ N(0, 1)) by integration in ε",
        expect(sp.log(normal_density(z, mu, sigma)) - sp.log(phi(z))),
        (
            Step(
                expect(-sp.log(sigma) - eps**2 / 2 + z**2 / 2),
                "log of the two Gaussian densities at z = μ + σε; the log 2π terms cancel",
                ("σ > 0",),
                prepare=gaussian_terms,
            ),
            Step(
                (sigma**2 + mu**2) / 2 - sp.log(sigma) - sp.Rational(1, 2),
                "Gaussian moments E[ε] = 0, E[ε²] = 1",
                prepare=gaussian_terms,
            ),
            Step(kl_standard_normal(mu, sigma), "log σ = ½ log σ² (σ > 0)", prepare=sp.expand_log),
        ),
    )


def _two_univariate_chain() -> Chain:
    m1, m2 = sp.symbols("mu_1 mu_2", real=True)
    s1, s2 = sp.symbols("sigma_1 sigma_2", positive=True)
    z = m1 + s1 * eps
    return Chain(
        "KL between two univariate Gaussians",
        expect(sp.log(normal_density(z, m1, s1)) - sp.log(normal_density(z, m2, s2))),
        (
            Step(
                sp.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - sp.Rational(1, 2),
                "z = μ₁ + σ₁ε; Gaussian moments",
                prepare=gaussian_terms,
            ),
        ),
    )


def _diagonal_chains() -> list[Chain]:
    e = eps_vector(DIAGONAL_D)
    m = sp.symbols(f"mu_1:{DIAGONAL_D + 1}", real=True)
    s = sp.symbols(f"sigma_1:{DIAGONAL_D + 1}", positive=True)
    coords = list(zip(m, s, e, strict=True))
    # per coordinate: log q_d and log p_d at z_d = μ_d + σ_d ε_d
    log_q = [sp.log(normal_density(mi + si * ei, mi, si)) for mi, si, ei in coords]
    log_p = [sp.log(phi(mi + si * ei)) for mi, si, ei in coords]
    half_log_2pi = sp.Rational(DIAGONAL_D, 2) * sp.log(2 * sp.pi)
    e_log_p = -half_log_2pi - sum(mi**2 + si**2 for mi, si in zip(m, s, strict=True)) / 2
    e_log_q = -half_log_2pi - sum(1 + sp.log(si**2) for si in s) / 2
    fubini = "Fubini: each term depends on one ε_d; the other coordinates integrate to 1"
    moments = "z_d = μ_d + σ_d ε_d; Gaussian moments E[ε_d] = 0, E[ε_d²] = 1"

    def one_dimensional(terms: list[sp.Expr]) -> sp.Expr:
        return sp.Add(*(expect(t, ei) for t, ei in zip(terms, e, strict=True)))

    return [
        Chain(
            f"Expected log prior E_q[log p(z)], instance D = {DIAGONAL_D}: the D-dimensional "
            "integral is the sum of one-dimensional ones",
            expect_multi(sp.Add(*log_p), e),
            (
                Step(one_dimensional(log_p), fubini, prepare=gaussian_terms),
                Step(e_log_p, moments, prepare=gaussian_terms),
            ),
        ),
        Chain(
            f"Expected log posterior E_q[log q(z)], instance D = {DIAGONAL_D}",
            expect_multi(sp.Add(*log_q), e),
            (
                Step(one_dimensional(log_q), fubini, prepare=gaussian_terms),
                Step(e_log_q, moments, prepare=gaussian_terms),
            ),
        ),
        Chain(
            f"Diagonal KL(q ‖ N(0, I)), instance D = {DIAGONAL_D}",
            expect_multi(sp.Add(*log_q) - sp.Add(*log_p), e),
            (
                Step(
                    one_dimensional([q - p for q, p in zip(log_q, log_p, strict=True)]),
                    fubini,
                    prepare=gaussian_terms,
                ),
                Step(
                    sum(kl_standard_normal(mi, si) for mi, si in zip(m, s, strict=True)),
                    "E_q[log q] − E_q[log p] (the two chains above): a sum of one-dimensional "
                    "KLs (the log 2π terms cancel)",
                    prepare=gaussian_terms,
                ),
            ),
        ),
    ]


#: Integration variable of the non-negativity proof.
_s = sp.Symbol("s", real=True)


def kl_gap_integral(r: sp.Expr) -> sp.Integral:
    """∫₀¹ s/((1 − s) + r s) ds: r − 1 − log r = (r − 1)² times this, for r > 0 (the integrand is
    ≥ 0 on [0, 1], so r − 1 − log r ≥ 0, which is e^t − 1 − t ≥ 0 with r = e^t)."""
    return sp.Integral(_s / ((1 - _s) + r * _s), (_s, 0, 1))


def _nonnegative_chain() -> Chain:
    m1, m2 = sp.symbols("mu_1 mu_2", real=True)
    s1, s2 = sp.symbols("sigma_1 sigma_2", positive=True)
    r = s1**2 / s2**2
    shift = (m1 - m2) ** 2 / (2 * s2**2)
    return Chain(
        "KL between two univariate Gaussians is ≥ 0",
        sp.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - sp.Rational(1, 2),
        (
            Step(
                (r - 1 - sp.log(r)) / 2 + shift,
                "with r = σ₁²/σ₂² = e^t: KL = ½(e^t − 1 − t) + (μ₁ − μ₂)²/(2σ₂²)",
                prepare=lambda e: sp.expand(sp.expand_log(e)),
            ),
            Step(
                (r - 1) ** 2 * kl_gap_integral(r) / 2 + shift,
                "r − 1 − log r = ∫₁^r (x − 1)/x dx; substitute x = 1 + (r − 1)s",
            ),
        ),
        "The last line is a sum of non-negative terms: squares over positive numbers, and the "
        "integral of s/((1 − s) + rs), which is ≥ 0 on [0, 1] because r > 0 (SymPy's "
        "assumptions confirm it in tests/test_derivations.py). So KL ≥ 0, with equality only "
        "for σ₁ = σ₂ and μ₁ = μ₂ -- the inequality e^t − 1 − t ≥ 0 behind Gibbs' inequality for "
        "Gaussians.",
    )


def _symbolic_d_chains() -> list[Chain]:
    """E_q[log p], E_q[log q] and the diagonal KL for symbolic D: sums over d = 1…D whose
    per-coordinate term is integrated once, for a symbolic coordinate d."""
    m, s = _mu[_d], _sigma[_d]
    z = m + s * eps
    log_q, log_p = sp.log(normal_density(z, m, s)), sp.log(phi(z))

    def total(term: sp.Expr) -> sp.Sum:
        return sp.Sum(term, (_d, 1, D))

    per_coordinate = "Gaussian moments E[ε] = 0, E[ε²] = 1 for a symbolic coordinate d"
    e_log_p = -D * sp.log(2 * sp.pi) / 2 - total(m**2 + s**2) / 2
    e_log_q = -D * sp.log(2 * sp.pi) / 2 - total(1 + sp.log(s**2)) / 2
    return [
        Chain(
            "Expected log prior E_q[log p(z)] for any D (notes eq. (20)-(22))",
            total(expect(log_p)),
            (Step(e_log_p, per_coordinate, prepare=gaussian_terms),),
        ),
        Chain(
            "Expected log posterior E_q[log q(z)] for any D (notes eq. (23)-(25))",
            total(expect(log_q)),
            (Step(e_log_q, per_coordinate, prepare=gaussian_terms),),
        ),
        Chain(
            "Diagonal KL(q ‖ N(0, I)) for any D",
            total(expect(log_q - log_p)),
            (
                Step(e_log_q - e_log_p, per_coordinate, prepare=gaussian_terms),
                Step(
                    total(kl_standard_normal(m, s)),
                    "collect terms: a sum of one-dimensional KLs (the log 2π terms cancel)",
                    prepare=lambda e: sp.expand(sp.expand_log(e.doit())),
                ),
            ),
        ),
        Chain(
            "Entropy of a diagonal Gaussian for any D",
            -total(expect(log_q)),
            (
                Step(
                    total(sp.log(2 * sp.pi * sp.E * s**2) / 2),
                    "−E_q[log q], coordinate by coordinate: ½ log(2πe σ_d²)",
                    prepare=lambda e: sp.expand(sp.expand_log(gaussian_terms(e))),
                ),
            ),
        ),
    ]


def entropy_chain(k: int) -> Chain:
    """H(N(μ, Σ)) = ½ log det(2πeΣ) at dimension k, Σ = LLᵀ (instance)."""
    e = sp.Matrix(eps_vector(k))
    m1 = sp.Matrix(sp.symbols(f"mu_1:{k + 1}", real=True))
    l1 = lower_triangular("L", k)
    cov = l1 * l1.T
    return Chain(
        f"Entropy H(N(μ, LLᵀ)) = ½ log det(2πeΣ), instance k = {k}",
        -expect_multi(log_normal_density(m1 + l1 * e, m1, cov), list(e)),
        (
            Step(
                sp.log((2 * sp.pi * sp.E * cov).det()) / 2,
                "z − μ = Lε: the quadratic form is εᵀε, E[εᵀε] = k; det(cΣ) = cᵏ det Σ",
                ("L lower-triangular with positive diagonal (a Cholesky factor)",),
                prepare=lambda x: sp.expand(sp.expand_log(gaussian_terms(x))),
            ),
        ),
    )


def full_covariance_chain(k: int) -> Chain:
    """The chain proving the full-covariance KL at dimension k (Σ₁ = LLᵀ, Σ₂ = MMᵀ)."""
    e = sp.Matrix(eps_vector(k))
    m1 = sp.Matrix(sp.symbols(f"mu_1:{k + 1}", real=True))
    m2 = sp.Matrix(sp.symbols(f"nu_1:{k + 1}", real=True))
    l1, l2 = lower_triangular("L", k), lower_triangular("M", k)
    s1, s2 = l1 * l1.T, l2 * l2.T
    z = m1 + l1 * e
    d = m2 - m1
    s2_inv = s2.inv()
    quad = (d.T * s2_inv * d)[0, 0]
    moments = (
        -sp.Rational(k, 2)
        - sp.log(s1.det()) / 2
        + sp.log(s2.det()) / 2
        + (l1.T * s2_inv * l1).trace() / 2
        + quad / 2
    )
    closed = ((s2_inv * s1).trace() + quad - k + sp.log(s2.det() / s1.det())) / 2
    return Chain(
        f"Full covariance against a general prior, instance k = {k}: q = N(μ, LLᵀ), p = N(ν, MMᵀ)",
        expect_multi(log_normal_density(z, m1, s1) - log_normal_density(z, m2, s2), list(e)),
        (
            Step(
                moments,
                "z − μ = Lε: the first quadratic form is εᵀε; E[ε] = 0, E[εεᵀ] = I, E[εᵀAε] = tr A",
                ("L, M lower-triangular with positive diagonal (Cholesky factors)",),
                prepare=gaussian_terms,
            ),
            Step(
                closed,
                "tr(LᵀΣ₂⁻¹L) = tr(Σ₂⁻¹LLᵀ) = tr(Σ₂⁻¹Σ₁): ½[tr(Σ₂⁻¹Σ₁) + (ν−μ)ᵀΣ₂⁻¹(ν−μ) − k "
                "+ ln(det Σ₂/det Σ₁)]",
                prepare=sp.expand,
            ),
        ),
    )


_TEXT = r"""
The KL term of the VAE objective has a closed form when the posterior and the prior are
Gaussian (Kingma & Welling 2014, App. B). It is derived here by writing each expectation over
$q$ as an integral over the noise, $z = \mu + \sigma\epsilon$ with
$\epsilon \sim \mathcal{N}(0, 1)$ (or $z = \mu + L\epsilon$ for a full covariance): the
log-densities become polynomials of degree 2 in ε, and only the moments $\mathbb{E}[\epsilon] = 0$
and $\mathbb{E}[\epsilon\epsilon^\top] = I$ are needed. Integrals are evaluated term by term
(linearity and Fubini; every term is absolutely integrable against the Gaussian weight).

The diagonal case is proved for every D: $\mathbb{E}_q[\log p(z)]$, $\mathbb{E}_q[\log q(z)]$,
their difference the KL, and the entropy are sums over the coordinates $d = 1, \dots, D$ with $D$
a symbolic positive integer, and the per-coordinate expectation is integrated once, for a
symbolic coordinate $d$ (SymPy `Sum` and `IndexedBase`). The one step not taken at symbolic D is
the first: that the D-dimensional expectation of a sum of per-coordinate terms is the sum of
one-dimensional expectations (linearity, and Fubini: the other coordinates integrate to 1). It is
checked by machine at D = 3 (instance chains below). The two halves are the notes' eq. (22) and
(25). Note that eq. (25) of the notes, as printed, $-\tfrac{D}{2}\sum_d (1 + \log\sigma_d^2)$,
drops the $-\tfrac{D}{2}\log 2\pi$ term and has $\tfrac{D}{2}$ where $\tfrac12$ belongs; the
correct form is checked below, and the ELBO of eq. (19) uses the difference, in which the
$\log 2\pi$ terms cancel.

The full-covariance formula against a general prior $\mathcal{N}(\nu, MM^\top)$, and the
entropy $\tfrac12 \log\det(2\pi e\Sigma)$, are checked at k = 2 here and at k = 3 in the test
suite (their displays are wider than a page) with symbolic Cholesky factors, $\Sigma_1 = LL^\top$ and $\Sigma_2 = MM^\top$: these are *instances*, not a proof for
every k.
"""


def derivation() -> Derivation:
    """KL divergences between Gaussians (notes eq. (19)-(25); Kingma & Welling 2014, App. B)."""
    chains = [_standard_chain(), *_symbolic_d_chains(), *_diagonal_chains()]
    chains += [_two_univariate_chain(), _nonnegative_chain()]
    chains += [full_covariance_chain(k) for k in FULL_COVARIANCE_D]
    chains += [entropy_chain(k) for k in ENTROPY_D]
    return Derivation(
        slug="gaussian-kl",
        title="Gaussian KL divergence",
        summary="KL(N(μ, σ²) ‖ N(0, 1)) = ½(σ² + μ² − 1 − log σ²); diagonal, univariate pair, "
        "full covariance, entropy",
        scope="diagonal: any D; univariate: general; full covariance and entropy: instance "
        "k = 2 (k = 3 in the test suite)",
        chains=tuple(chains),
        text=_TEXT,
        references=(
            "Kingma, D. P. & Welling, M. (2014). Auto-Encoding Variational Bayes. ICLR, "
            "App. B (−KL = ½ Σ (1 + log σ² − μ² − σ²)) and eq. (10) (the estimator using it).",
            "M. Bahng, Variational Autoencoders (lecture notes, Spring 2023), "
            "eq. (19) (ELBO with the closed-form KL) and "
            "eq. (20)-(25) (the expected log prior and log posterior).",
        ),
    )
