"""The log-determinant of the Jacobian of z = g(ε) and the change of variables for log q(z).

Notes eq. (44)-(45): ``log q(z) = log p(ε) − log|det ∂z/∂ε|``, and for ``z = μ + σ ⊙ ε`` the
Jacobian is ``diag(σ)``, so ``log|det ∂z/∂ε| = Σᵢ log σᵢ``. For ``z = μ + Lε`` with L lower
triangular it is ``Σᵢ log|Lᵢᵢ|`` (Kingma & Welling 2014, Sec. 2.4 and App. C; Kingma &
Welling 2019, Sec. 2.5 (full-covariance Gaussian posterior)).
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step

from ._common import eps_vector, log_normal_density, lower_triangular, phi

__all__ = ["CHOLESKY_D", "DENSITY_D", "DIAGONAL_D", "ORDER", "Det", "derivation", "jacobian"]

ORDER = 4
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 0.55

#: Dimensions of the diagonal-scale Jacobian.
DIAGONAL_D = tuple(range(1, 9))
#: Dimensions of the lower-triangular Jacobian.
CHOLESKY_D = (2, 3, 4)
#: Dimension of the change-of-variables check of the log-density.
DENSITY_D = 2


class Det(sp.Determinant):
    """An unevaluated determinant (printed as |A|) that mpmath can evaluate numerically, so a
    false step involving it is refuted with a counterexample rather than left undecided."""

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.doit()._eval_evalf(prec)


def jacobian(z: sp.Matrix, e: sp.Matrix) -> sp.ImmutableMatrix:
    """The Jacobian matrix ∂z/∂ε, entry (i, j) = ∂zᵢ/∂εⱼ, computed by SymPy."""
    return sp.ImmutableMatrix(z.jacobian(e))


def _diagonal_parts(d: int):
    e = sp.Matrix(eps_vector(d))
    m = sp.Matrix(sp.symbols(f"mu_1:{d + 1}", real=True))
    s = sp.symbols(f"sigma_1:{d + 1}", positive=True)
    z = m + sp.diag(*s) * e
    return e, m, s, z


def _log_abs_det(z: sp.Matrix, e: sp.Matrix) -> sp.Expr:
    """log|det ∂z/∂ε| with the determinant left unevaluated (the check evaluates it)."""
    return sp.log(sp.Abs(Det(jacobian(z, e))))


def _diagonal_chain(d: int) -> Chain:
    e, _, s, z = _diagonal_parts(d)
    return Chain(
        f"Diagonal scale z = μ + σ ⊙ ε, D = {d}",
        _log_abs_det(z, e),
        (
            Step(
                sp.Add(*(sp.log(si) for si in s)),
                "the Jacobian is diag(σ); det = Π σᵢ > 0; log of a product",
                ("σᵢ > 0",),
            ),
        ),
    )


def _cholesky_chain(d: int) -> Chain:
    e = sp.Matrix(eps_vector(d))
    m = sp.Matrix(sp.symbols(f"mu_1:{d + 1}", real=True))
    lower = lower_triangular("L", d, positive_diagonal=False)
    return Chain(
        f"Lower-triangular scale z = μ + Lε, D = {d}",
        _log_abs_det(m + lower * e, e),
        (
            Step(
                sp.Add(*(sp.log(sp.Abs(lower[i, i])) for i in range(d))),
                "the Jacobian is L; the determinant of a triangular matrix is the product of "
                "its diagonal",
                ("Lᵢᵢ ≠ 0 (L invertible)",),
            ),
        ),
    )


def _log_p(e: sp.Matrix) -> sp.Expr:
    """log p(ε) for ε ∼ N(0, I): the sum of the coordinates' log φ."""
    return sp.Add(*(sp.log(phi(ei)) for ei in e))


def _density_chains() -> list[Chain]:
    d = DENSITY_D
    e, m, s, z = _diagonal_parts(d)
    half_log_2pi = sp.Rational(d, 2) * sp.log(2 * sp.pi)
    squares = sp.Add(*(ei**2 for ei in e)) / 2
    lower = lower_triangular("L", d)
    z_chol = m + lower * e
    return [
        Chain(
            f"Change of variables, diagonal scale, D = {d} (notes eq. (44))",
            log_normal_density(z, m, sp.diag(*(si**2 for si in s))),
            (
                Step(
                    _log_p(e) - _log_abs_det(z, e),
                    "log q(z) = log p(ε) − log|det ∂z/∂ε|",
                    ("z = μ + σ ⊙ ε is a bijection of ℝᴰ",),
                ),
                Step(
                    -half_log_2pi - squares - sp.Add(*(sp.log(si) for si in s)),
                    "log φ(εᵢ) = −½ log 2π − εᵢ²/2; log|det ∂z/∂ε| = Σ log σᵢ (notes eq. (45))",
                ),
            ),
        ),
        Chain(
            f"Change of variables, Cholesky factor, D = {d}",
            log_normal_density(z_chol, m, lower * lower.T),
            (
                Step(
                    _log_p(e) - _log_abs_det(z_chol, e),
                    "log q(z) = log p(ε) − log|det ∂z/∂ε|, with Σ = LLᵀ",
                    ("L lower-triangular with positive diagonal (Cholesky factor)",),
                ),
                Step(
                    -half_log_2pi - squares - sp.Add(*(sp.log(lower[i, i]) for i in range(d))),
                    "log|det L| = Σ log Lᵢᵢ",
                ),
            ),
        ),
    ]


_TEXT = r"""
If $z = g(\epsilon)$ is a differentiable bijection and $\epsilon \sim p$, the density of z is
$q(z) = p(\epsilon)\,|\det \partial z/\partial\epsilon|^{-1}$, that is

$$\log q(z) = \log p(\epsilon) - \log\left|\det \frac{\partial z}{\partial \epsilon}\right|$$

(notes eq. (44)). This is how a reparameterized sample's log-density is computed without
inverting g. For the factorized Gaussian $z = \mu + \sigma \odot \epsilon$ the Jacobian is
$\operatorname{diag}(\sigma)$ and the log-determinant is $\sum_i \log \sigma_i$ (notes eq. (45));
below SymPy computes the Jacobian matrix and its determinant for every D from 1 to 8
(instances), and proves $\log \prod_i \sigma_i = \sum_i \log \sigma_i$ for a symbolic D. For a
full-covariance posterior, $z = \mu + L\epsilon$ with L lower triangular, the Jacobian is L and
the log-determinant is $\sum_i \log|L_{ii}|$, checked for D = 2, 3, 4 with symbolic entries.

Finally the change of variables is checked against the Gaussian log-density itself: with
$\Sigma = \operatorname{diag}(\sigma^2)$ or $\Sigma = LL^\top$,
$\log \mathcal{N}(z; \mu, \Sigma) = \log p(\epsilon) - \log|\det \partial z/\partial\epsilon|$
at $z = \mu + \sigma\odot\epsilon$ or $z = \mu + L\epsilon$.
"""


def _product_chain() -> Chain:
    """log|∏_{i=1}^D σ_i| = Σ_{i=1}^D log σ_i for a symbolic dimension D."""
    i = sp.Symbol("i", integer=True, positive=True)
    big_d = sp.Symbol("D", integer=True, positive=True)
    s = sp.IndexedBase("sigma", positive=True)
    return Chain(
        "Diagonal scale for any D: the log of the product of the σ_i",
        sp.log(sp.Abs(sp.Product(s[i], (i, 1, big_d)))),
        (Step(sp.Sum(sp.log(s[i]), (i, 1, big_d)), "σ_i > 0: |∏ σ_i| = ∏ σ_i, log of a product"),),
        "det diag(σ) = ∏ σ_i is the determinant of a diagonal matrix (SymPy computes it from the "
        "Jacobian in the chains below, D = 1 … 8); from there eq. (45) holds for every D.",
    )


def derivation() -> Derivation:
    """log|det ∂z/∂ε| for diagonal and triangular scales; log q(z) by change of variables."""
    chains = [_product_chain(), *(_diagonal_chain(d) for d in DIAGONAL_D)]
    chains += [_cholesky_chain(d) for d in CHOLESKY_D]
    chains += _density_chains()
    return Derivation(
        slug="log-det-jacobian",
        title="Log-determinant of the Jacobian",
        summary="log|det ∂z/∂ε| = Σ log σᵢ for z = μ + σ ⊙ ε (Σ log|Lᵢᵢ| for z = μ + Lε); "
        "log q(z) = log p(ε) − log|det ∂z/∂ε|",
        chains=tuple(chains),
        scope="diagonal: Jacobian at D = 1 … 8 (instances), log ∏ σ_i = Σ log σ_i for any D; "
        "Cholesky D = 2, 3, 4 and density D = 2 (instances)",
        text=_TEXT,
        references=(
            "Kingma, D. P. & Welling, M. (2014). Auto-Encoding Variational Bayes. ICLR, "
            "Sec. 2.4 (change of variables q(z) Π dzᵢ = p(ε) Π dεᵢ) and eq. (9) "
            "(z = μ + σ ⊙ ε).",
            "Kingma, D. P. & Welling, M. (2019). An Introduction to Variational Autoencoders. "
            "Foundations and Trends in Machine Learning 12(4), Sec. 2.5 (change of variables, "
            "factorized and full-covariance Gaussian posteriors).",
            "M. Bahng, Variational Autoencoders (lecture notes, Spring 2023), "
            "eq. (44) (change of variables) and eq. (45) "
            "(∂z/∂ε = diag(σ), log|det| = Σ log σᵢ).",
        ),
    )
