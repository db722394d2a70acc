"""The wrong formulas of the sources, with their corrections, as SymPy objects (their one home).

Each :class:`~rtverify.claims.model.Erratum` holds the quantity from its definition (``lhs``),
the correct form and the source's form, in one concrete instance that SymPy can decide.
``derivations/notes_errata.py`` and ``derivations/source_documents.py`` prove ``lhs = correct``
step by step; ``tests/test_errata.py`` shows that ``lhs = erroneous`` fails the same check; the
page ``docs/source-claims.md`` prints both forms from these objects.

Expectations are integrals in ε (``z = μ + σ ε``), as everywhere in rtverify
(``derivations/_common.py``).
"""

from __future__ import annotations

import functools
import itertools

import sympy as sp

from rtverify.claims.model import Erratum
from rtverify.derivations._common import eps, expect, gaussian_terms, mu, phi, sigma
from rtverify.derivations._common import normal_density as normal

__all__ = [
    "DISPLAY",
    "ERRATA",
    "bernoulli_pixels",
    "conditional_model",
    "entropy_term_integral",
    "erratum",
    "expected_log_prior",
    "expected_log_q",
    "latex",
    "prior_term_integral",
]

# --------------------------------------------------------------------------------------------
# Display symbols: printed with the LaTeX given here (sp.latex(..., symbol_names=DISPLAY)).
# --------------------------------------------------------------------------------------------

z = sp.Symbol("z", real=True)
x = sp.Symbol("x", real=True)
#: Weight of a linear encoder mean μ(x) = w·x: the instance in which "dx" is read literally.
w = sp.Symbol("w", positive=True)
D = sp.Symbol("D", integer=True, positive=True)
L = sp.Symbol("L", integer=True, positive=True)
d, i, j, ll = sp.symbols("d i j l", integer=True, positive=True)
_sig, _mu, _x, _y, _th = (sp.IndexedBase(n) for n in ("sigma", "mu", "x", "y", "theta"))
_hat = sp.IndexedBase("thetahat")
_p = sp.Function("p")
_q = sp.Function("q_phi")
_r = sp.Function("r")
_N = sp.Function("N")
_KL, _E_c = sp.symbols("KLc Ec")

#: LaTeX of the display symbols.
DISPLAY: dict[sp.Basic, str] = {
    _hat: r"\hat{\theta}",
    _KL: r"\mathrm{KL}\left(q_{\phi}(z \mid x, c) \,\Vert\, p(z \mid c)\right)",
    _E_c: r"\mathbb{E}_{q_{\phi}(z \mid x, c)}\left[\log p_{\theta}(x \mid z, c)\right]",
}


def latex(expr: sp.Basic) -> str:
    """LaTeX of ``expr`` with the display symbols of :data:`DISPLAY`."""
    text = sp.latex(expr, symbol_names={k: v for k, v in DISPLAY.items() if k.is_Symbol})
    return text.replace(r"N{\left(", r"\mathcal{N}{\left(").replace("thetahat", r"\hat{\theta}")


# --------------------------------------------------------------------------------------------
# Building blocks shared with the derivations
# --------------------------------------------------------------------------------------------


def bernoulli_pixels(
    thetas: tuple[sp.Expr, ...], xs: tuple[int, ...], index_of_one_minus: int | None = None
) -> sp.Expr:
    """∏_i θ_i^{x_i} (1 − θ_{k})^{1 − x_i} with k = i (notes eq. (4), correct) or, when
    ``index_of_one_minus`` is given, the fixed k of the notes' typo ``[D_β(z)]_d``."""
    out = sp.Integer(1)
    for k, (t, v) in enumerate(zip(thetas, xs, strict=True)):
        other = thetas[k if index_of_one_minus is None else index_of_one_minus]
        out *= t**v * (1 - other) ** (1 - v)
    return out


def expected_log_prior(mean: sp.Expr) -> sp.Integral:
    """E_q[log N(z | 0, 1)] for q = N(mean, σ²), as an integral in ε (notes eq. (20))."""
    return expect(sp.log(normal(mean + sigma * eps, 0, 1)))


def expected_log_q(mean: sp.Expr, scale: sp.Expr = sigma, noise: sp.Symbol = eps) -> sp.Integral:
    """E_q[log q(z)] for q = N(mean, scale²), as an integral in ε (notes eq. (23))."""
    return expect(sp.log(normal(mean + scale * noise, mean, scale)), noise)


def prior_term_integral(mean: sp.Expr, var: sp.Symbol = z) -> sp.Integral:
    """∫ log N(z | 0, 1) N(z | mean, σ²) d var (notes eq. (20)-(21); var = x is the typo)."""
    return sp.Integral(sp.log(normal(z, 0, 1)) * normal(z, mean, sigma), (var, -sp.oo, sp.oo))


def entropy_term_integral(mean: sp.Expr, var: sp.Symbol = z) -> sp.Integral:
    """∫ log N(z | mean, σ²) N(z | mean, σ²) d var (notes eq. (24); var = x is the typo)."""
    q = normal(z, mean, sigma)
    return sp.Integral(sp.log(q) * q, (var, -sp.oo, sp.oo))


def conditional_model(m: sp.Expr, s: sp.Expr, c: sp.Expr):
    """The linear-Gaussian CVAE instance of notes eq. (47): p(z | c) = N(c, 1),
    p(x | z, c) = N(z, 1), q(z | x, c) = N(m, s²). Returns (log-lik, log-prior, log-q) as
    functions of z."""
    return (
        lambda zz: sp.log(normal(x, zz, 1)),
        lambda zz: sp.log(normal(zz, c, 1)),
        lambda zz: sp.log(normal(zz, m, s)),
    )


# --------------------------------------------------------------------------------------------
# The errata
# --------------------------------------------------------------------------------------------


def _decoder_outputs(zv: int, n: int = 3) -> tuple[sp.Symbol, ...]:
    """θ_i(z) = [D_β(z)]_i for a binary latent value ``zv``: free symbols (any decoder)."""
    return sp.symbols(f"theta_1:{n + 1}^({zv})", positive=True)


#: Every binary image of three pixels, x ∈ {0, 1}³.
_IMAGES = tuple(itertools.product((0, 1), repeat=3))


def _notes_4() -> Erratum:
    thetas = _decoder_outputs(1)
    return Erratum(
        lhs=sp.Integer(1),
        correct=sum(bernoulli_pixels(thetas, xs) for xs in _IMAGES),
        erroneous=sum(bernoulli_pixels(thetas, xs, index_of_one_minus=2) for xs in _IMAGES),
        name=r"p(x \mid z)",
        shown=sp.Product(_th[i] ** _x[i] * (1 - _th[i]) ** (1 - _x[i]), (i, 1, D)),
        wrong="the factor (1 − [D_β(z)]_d) carries the index d instead of i (typo); with it the "
        "product is not a probability distribution over x",
        instance="checked through the normalisation Σ_x p(x | z) = 1 over the 8 images "
        "x ∈ {0, 1}³, θ = D_β(z) free: the corrected product sums to 1 for every θ, the "
        "printed one does not",
    )


def _notes_5() -> Erratum:
    rho = sp.Symbol("rho", positive=True)
    prior = {0: 1 - rho, 1: rho}  # P(z = 1) = ρ

    def marginal(xs, typo):
        return sum(
            bernoulli_pixels(_decoder_outputs(zv), xs, index_of_one_minus=typo) * prior[zv]
            for zv in (0, 1)
        )

    return Erratum(
        lhs=sp.Integer(1),
        correct=sum(marginal(xs, None) for xs in _IMAGES),
        erroneous=sum(marginal(xs, 2) for xs in _IMAGES),
        name=r"p(x)",
        shown=sp.Sum(
            sp.Product(_th[i] ** _x[i] * (1 - _th[i]) ** (1 - _x[i]), (i, 1, D)) * _p(z),
            (z, 0, 1),
        ),
        wrong="the same index typo as eq. (4) ([D_β(z)]_d for [D_β(z)]_i); also, the sum over "
        "z ∈ {0,1}^k needs a binary latent (an RBM), while Example 1.2 states p(z) = N(0, I), "
        "under which p(x) is an integral",
        instance="checked through the normalisation Σ_x p(x) = 1 over x ∈ {0, 1}³, with k = 1 "
        "binary latent, P(z = 1) = ρ and θ_i(z) = [D_β(z)]_i free",
    )


def _softmax_case() -> tuple[sp.Expr, tuple[sp.Expr, ...], tuple[sp.Symbol, ...]]:
    a = sp.symbols("a_1:4", real=True)
    y = sp.symbols("y_1:4", nonnegative=True)
    total = sum(sp.exp(v) for v in a)
    thetas = tuple(sp.exp(v) / total for v in a)
    pmf = sp.Mul(
        *(t**yk for t, yk in zip(thetas, y, strict=True))
    )  # categorical pmf at a one-hot y
    return pmf, thetas, y


def _notes_14() -> Erratum:
    pmf, thetas, y = _softmax_case()
    return Erratum(
        lhs=sp.log(pmf),
        correct=sum(yk * sp.log(t) for yk, t in zip(y, thetas, strict=True)),
        erroneous=pmf,
        name=r"\log p(y^{(i)} \mid x^{(i)})",
        shown=sp.Sum(_y[j] * sp.log(_hat[j]), (j, 1, sp.Symbol("K"))),
        wrong="the middle member p_θ(y) lacks the log (log p = p_θ(y) is false), and the sum "
        "runs over i while its terms are indexed by j",
        instance="K = 3 classes, θ̂ = softmax(a_1, a_2, a_3), categorical pmf ∏_j θ̂_j^{y_j}",
    )


def _notes_example_1_4() -> Erratum:
    pmf, thetas, y = _softmax_case()
    log_lik = sum(yk * sp.log(t) for yk, t in zip(y, thetas, strict=True))
    return Erratum(
        lhs=sp.log(pmf),
        correct=log_lik,
        erroneous=-log_lik,
        name=r"\log p(y^{(i)} \mid x^{(i)})",
        shown=-sp.Symbol("H(y, thetahat)"),
        wrong="the log-likelihood is called the cross entropy; the cross entropy is "
        "H(y, θ̂) = −Σ_j y_j log θ̂_j, so the log-likelihood is its negative (maximising one "
        "minimises the other)",
        instance="K = 3 classes, θ̂ = softmax(a_1, a_2, a_3)",
    )


def _notes_20() -> Erratum:
    mean = w * x
    return Erratum(
        lhs=expected_log_prior(mean),
        correct=prior_term_integral(mean),
        erroneous=prior_term_integral(mean, x),
        name=r"\mathbb{E}_{q_{\phi}(z \mid x)}[\log p(z)]",
        shown=sp.Integral(sp.log(_p(z)) * _q(z), (z, -sp.oo, sp.oo)),
        wrong="integrates in dx instead of dz; read literally (with an encoder mean μ(x) = w x) "
        "the dx-integral is log p(z)/w, a function of the sample z, not the expectation",
        instance="1-D, p(z) = N(0, 1), q(z | x) = N(w x, σ²)",
        prepare=gaussian_terms,
    )


def _notes_24() -> Erratum:
    mean = w * x
    return Erratum(
        lhs=expected_log_q(mean),
        correct=entropy_term_integral(mean),
        erroneous=entropy_term_integral(mean, x),
        name=r"\mathbb{E}_{q_{\phi}(z \mid x)}[\log q_{\phi}(z \mid x)]",
        shown=sp.Integral(
            sp.log(_N(z, _mu[d], _sig[d] ** 2)) * _N(z, _mu[d], _sig[d] ** 2), (z, -sp.oo, sp.oo)
        ),
        wrong="integrates in dx instead of dz; read literally (encoder mean μ(x) = w x) the "
        "dx-integral is the correct value divided by w, right only when w = 1",
        instance="1-D, q(z | x) = N(w x, σ²)",
        prepare=gaussian_terms,
    )


def _notes_25() -> Erratum:
    e = sp.symbols("epsilon_1:3", real=True)
    m = sp.symbols("mu_1:3", real=True)
    s = sp.symbols("sigma_1:3", positive=True)
    two = sp.Integer(2)
    return Erratum(
        lhs=sum(expected_log_q(mk, sk, ek) for mk, sk, ek in zip(m, s, e, strict=True)),
        correct=-two / 2 * sp.log(2 * sp.pi) - sum(1 + sp.log(sk**2) for sk in s) / 2,
        erroneous=-two / 2 * sum(1 + sp.log(sk**2) for sk in s),
        name=r"\mathbb{E}_{q_{\phi}(z \mid x)}[\log q_{\phi}(z \mid x)]",
        shown=-D / 2 * sp.log(2 * sp.pi) - sp.Sum(1 + sp.log(_sig[d] ** 2), (d, 1, D)) / 2,
        wrong="the term −(D/2) log 2π is missing and the factor of the sum is −D/2 instead of "
        "−1/2 (the two slips coincide only for D = 1 up to the log 2π term); with the printed "
        "(25), (22) − (25) does not give (19)",
        instance="D = 2, diagonal q (log q is a sum over d, so the expectation is a sum of 1-D "
        "expectations)",
    )


def _notes_26() -> Erratum:
    zz = mu + sigma * eps
    log_theta = -(zz**2)  # a decoder θ(z) = exp(−z²) ∈ (0, 1], pixel x = 1
    kl_term = (1 + sp.log(sigma**2) - mu**2 - sigma**2) / 2
    lhs = expect(log_theta + sp.log(normal(zz, 0, 1)) - sp.log(normal(zz, mu, sigma)))
    recon = _x[i] * sp.log(_th[i, ll]) + (1 - _x[i]) * sp.log(1 - _th[i, ll])
    return Erratum(
        lhs=lhs,
        correct=expect(log_theta) + kl_term,
        erroneous=kl_term,
        name=r"\widehat{\mathrm{ELBO}}(x, \phi, \theta)",
        shown=sp.Sum(sp.Sum(recon, (i, 1, sp.Symbol("d"))), (ll, 1, L)) / L
        + sp.Sum(1 + sp.log(_sig[d] ** 2) - _mu[d] ** 2 - _sig[d] ** 2, (d, 1, D)) / 2,
        wrong="the reconstruction term is missing: the sum (1/L) Σ_l has no summand; it must be "
        "the Bernoulli log-likelihood Σ_i x_i log θ_{i,l} + (1 − x_i) log(1 − θ_{i,l}) with "
        "θ_{·,l} = D_β(z^{(l)}), z^{(l)} = μ + σ ⊙ ε^{(l)}; the printed form is −KL only. "
        "And it is written as an equality 'ELBO = …' for a random estimate: the estimate is "
        "unbiased for the ELBO (its expectation over ε is the ELBO, checked here), so '≈' or "
        "'is an unbiased estimate of' is meant",
        instance="1-D latent, one pixel x = 1 with θ(z) = exp(−z²); the estimator's expectation "
        "(any L) is compared with the ELBO of eq. (18)",
        prepare=gaussian_terms,
    )


def _notes_47() -> Erratum:
    m, c = sp.symbols("m c", real=True)
    s = sp.Symbol("s", positive=True)
    m2, s2 = sp.Symbol("m'", real=True), sp.Symbol("s'", positive=True)
    log_lik, log_prior, log_q = conditional_model(m, s, c)
    zq = m + s * eps
    kl = expect(log_q(zq) - log_prior(zq))
    return Erratum(
        lhs=expect(log_lik(zq) + log_prior(zq) - log_q(zq)),
        correct=expect(log_lik(zq)) - kl,
        erroneous=expect(log_lik(m2 + s2 * eps)) - kl,
        name=r"\mathrm{ELBO}(x \mid c)",
        shown=_E_c - _KL,
        wrong="the expectation is under q_φ(z | x) while the KL uses q_φ(z | x, c): with two "
        "different encoders the expression is not the conditional ELBO "
        "E_q[log p(x, z | c) − log q(z | x, c)] and need not bound log p(x | c); the KL, a "
        "constant in z, needs no expectation",
        instance="p(z | c) = N(c, 1), p(x | z, c) = N(z, 1), q(z | x, c) = N(m, s²), "
        "q(z | x) = N(m′, s′²)",
        prepare=gaussian_terms,
    )


def _qa_answer_dz() -> Erratum:
    def r(v: sp.Expr) -> sp.Expr:  # an instance of r
        return v**2

    return Erratum(
        lhs=sp.Integral(r(z) * normal(z, mu, sigma), (z, -sp.oo, sp.oo)),
        correct=sp.Integral(r(mu + eps * sigma) * phi(eps), (eps, -sp.oo, sp.oo)),
        erroneous=sp.Integral(r(z) * phi((z - mu) / sigma), (z, -sp.oo, sp.oo)),
        name=r"J(\phi)",
        shown=sp.Integral(_r(mu + eps * sigma) * _N(eps, 0, 1), (eps, -sp.oo, sp.oo)),
        wrong="the ε-integral ends in dz instead of dε; read literally (ε = (z − μ)/σ) it is "
        "σ·J(φ), wrong unless σ = 1; the same slip is in the gradient display",
        instance="r(z) = z²",
        prepare=gaussian_terms,
    )


def _blog_gradient() -> Erratum:
    xo = sp.Symbol("x", real=True)
    zq = mu + sigma * eps
    log_joint = sp.log(normal(zq, 0, 1)) + sp.log(normal(xo, zq, 1))
    log_q = sp.log(normal(zq, mu, sigma))

    def grad(f: sp.Expr) -> sp.Integral:
        """∂/∂μ E_ε[f], taken inside the ε-integral (Leibniz: p(ε) does not depend on μ)."""
        return expect(sp.diff(sp.expand(sp.expand_log(f, force=True)), mu))

    return Erratum(
        lhs=grad(log_joint - log_q),
        correct=grad(log_joint) - grad(log_q),
        erroneous=grad(log_q) - grad(log_joint),
        name=r"\nabla_{\phi}\,\mathrm{ELBO}",
        shown=sp.Symbol(r"\nabla_{\phi}\int q \log p(x, z) - \nabla_{\phi}\int q \log q"),
        wrong="the display is the gradient of ∫q log q − ∫q log p(x, z) = −ELBO (= KL − log p(x)), "
        "not of the lower bound it sets out to maximise; and it differentiates in θ, while "
        "the parameters of q are φ",
        instance="p(z) = N(0, 1), p(x | z) = N(z, 1), q = N(μ, σ²) with z = μ + σε, derivative "
        "in μ taken inside the ε-integral",
        prepare=gaussian_terms,
    )


_BUILDERS = {
    "001 eq. (4)": _notes_4,
    "001 eq. (5)": _notes_5,
    "001 eq. (14)": _notes_14,
    "001 Example 1.4": _notes_example_1_4,
    "001 eq. (20)": _notes_20,
    "001 eq. (24)": _notes_24,
    "001 eq. (25)": _notes_25,
    "001 eq. (26)": _notes_26,
    "001 eq. (47)": _notes_47,
    "002 answer, J(φ)": _qa_answer_dz,
    "003 gradient of the lower bound": _blog_gradient,
}
#: The ids of the claims that have an erratum.
ERRATA: tuple[str, ...] = tuple(_BUILDERS)


@functools.cache
def erratum(claim_id: str) -> Erratum:
    """The erratum of the claim ``claim_id`` (built once)."""
    if claim_id not in _BUILDERS:
        raise KeyError(f"no erratum for {claim_id!r}; known: {', '.join(_BUILDERS)}")
    return _BUILDERS[claim_id]()
