"""The doubly reparameterized gradient (DReG) identity of Tucker, Lawson, Gu & Maddison (2019).

For the IWAE bound L_K = E[log (1/K) Σ_i w_i], w_i = p(x, z_i)/q_φ(z_i), z_i = μ + σε_i, the
standard gradient in the encoder parameters φ is Σ_i w̃_i ∇_φ log w_i with w̃_i = w_i / Σ_j w_j,
and ∇_φ log w_i = ℓ′(z_i) ∂z_i/∂φ − ∂_φ log q_φ(z_i)|_z (ℓ = log w as a function of z). The score
term is moved onto the path by the score-to-path identity (Stein's lemma)

    E_{ε_i}[w̃_i ∂_φ log q_φ(z_i)] = E_{ε_i}[∂w̃_i/∂z_i ∂z_i/∂φ],  ∂w̃_i/∂z_i = (w̃_i − w̃_i²) ℓ′(z_i),

so that E[standard] = E[Σ_i w̃_i² ℓ′(z_i) ∂z_i/∂φ]: the DReG estimator (their eq. (7)-(8)).
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step
from rtverify.rules import integration_by_parts, pointwise

from ._common import eps, eps_vector, expect, expect_multi, mu, phi, sigma

__all__ = ["ORDER", "K", "derivation"]

ORDER = 8

#: Number of importance samples in the instance proved (the identity is per sample i, with the
#: other samples' weights held fixed, so K = 2 exhibits every term).
K = 2

_z = sp.Symbol("z", real=True)
_ell = sp.Function("ell")  # ℓ(z) = log w(z) = log p(x, z) − log q_φ(z), φ held fixed
_A = sp.Symbol("A", real=True)  # log w of the other sample(s), held fixed: log Σ_{j≠i} w_j
_NAME = {mu: "μ", sigma: "σ"}
_DZ = {mu: sp.Integer(1), sigma: eps}
_SCORE = {mu: eps / sigma, sigma: (eps**2 - 1) / sigma}
#: v with v′ = score · φ(ε) (as in the pathwise-leibniz page).
_STEIN_V = {mu: -phi(eps) / sigma, sigma: -eps * phi(eps) / sigma}


def _w_tilde(z: sp.Expr) -> sp.Expr:
    """w̃(z) = e^{ℓ(z)} / (e^{ℓ(z)} + e^{A})."""
    return sp.exp(_ell(z)) / (sp.exp(_ell(z)) + sp.exp(_A))


def _dell(z: sp.Expr) -> sp.Expr:
    return sp.Subs(sp.Derivative(_ell(_z), _z), _z, z)


def _weight_derivative_chain() -> Chain:
    return Chain(
        "∂w̃/∂z = (w̃ − w̃²) ℓ′(z) (softmax derivative)",
        sp.diff(_w_tilde(_z), _z),
        (
            Step(
                (_w_tilde(_z) - _w_tilde(_z) ** 2) * sp.Derivative(_ell(_z), _z),
                "quotient rule; e^ℓ/(e^ℓ + e^A) − (e^ℓ/(e^ℓ + e^A))² = e^ℓ e^A/(e^ℓ + e^A)²",
            ),
        ),
    )


def _score_to_path_chain(p: sp.Symbol) -> Chain:
    n = _NAME[p]
    z = mu + sigma * eps
    u = _w_tilde(z)
    return Chain(
        f"Score to path in {n}: E[w̃ ∂_{n} log q] = E[∂w̃/∂z ∂z/∂{n}] (other samples fixed)",
        expect(u * _SCORE[p]),
        (
            Step(
                expect(sp.diff(u, eps) * _DZ[p] / sigma),
                "integration by parts against φ (Stein's lemma) with u = w̃(μ + σε)",
                ("0 < w̃ < 1, so u v → 0 at ±∞; ℓ differentiable", "Fubini: ε_j, j ≠ i, fixed"),
                rule=integration_by_parts(eps, u, _STEIN_V[p]),
            ),
            Step(
                expect((u - u**2) * _dell(z) * _DZ[p]),
                "∂w̃/∂ε = σ ∂w̃/∂z and ∂w̃/∂z = (w̃ − w̃²) ℓ′ (chain above)",
                rule=pointwise("softmax derivative, pointwise in ε"),
            ),
        ),
    )


def _assembly_chain(p: sp.Symbol) -> Chain:
    n = _NAME[p]
    e = eps_vector(K)
    zs = [mu + sigma * ei for ei in e]
    ells = [_ell(z) for z in zs]
    total = sp.exp(ells[0]) + sp.exp(ells[1])
    w = [sp.exp(li) / total for li in ells]
    dz = [sp.Integer(1) if p == mu else ei for ei in e]
    score = [ei / sigma if p == mu else (ei**2 - 1) / sigma for ei in e]
    dl = [_dell(z) for z in zs]
    standard_minus_score = sp.Add(
        *(w[i] * dl[i] * dz[i] - (w[i] - w[i] ** 2) * dl[i] * dz[i] for i in range(K))
    )
    return Chain(
        f"E[standard IWAE gradient] = E[DReG] in {n}, K = {K}",
        expect_multi(sp.Add(*(w[i] * (dl[i] * dz[i] - score[i]) for i in range(K))), e),
        (
            Step(
                expect_multi(standard_minus_score, e),
                "replace each E[w̃_i score_i] by E[(w̃_i − w̃_i²) ℓ′(z_i) ∂z_i/∂"
                + n
                + "] (score to path, chain above, for each i with the other sample fixed)",
                ("the score-to-path identity above, applied to sample i with A = ℓ(z_j)",),
                rule=_replace_score_terms(e, w, score, dl, dz),
            ),
            Step(
                expect_multi(sp.Add(*(w[i] ** 2 * dl[i] * dz[i] for i in range(K))), e),
                "w̃ ℓ′ − (w̃ − w̃²) ℓ′ = w̃² ℓ′: the DReG estimator Σ_i w̃_i² ℓ′(z_i) ∂z_i/∂" + n,
                rule=pointwise("algebra, pointwise in ε"),
            ),
        ),
    )


def _replace_score_terms(e, w, score, dl, dz):
    """A rule certifying only what it checks: that the two integrands differ by exactly
    Σ_i [w̃_i score_i − (w̃_i − w̃_i²) ℓ′_i ∂z_i] (each term is the difference whose mean the
    score-to-path chain shows to be 0), and that the limits agree."""
    from rtverify.derivation import Check, Status

    method = "rule: the difference is Σ_i (w̃_i score_i − (w̃_i − w̃_i²) ℓ′_i ∂z_i/∂φ)"
    density = sp.Mul(*(phi(x) for x in e))

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        if not isinstance(lhs, sp.Integral) or not isinstance(rhs, sp.Integral):
            return Check(Status.FAILED, method, "both sides must be integrals")
        if tuple(lhs.limits) != tuple(rhs.limits):
            return Check(Status.FAILED, method, "limits differ")
        expected = sp.Add(
            *(-(w[i] * score[i]) + (w[i] - w[i] ** 2) * dl[i] * dz[i] for i in range(len(e)))
        )
        diff = sp.simplify(sp.expand((lhs.function - rhs.function) / density - expected))
        if diff != 0:
            return Check(Status.FAILED, method, f"integrands differ by {diff}, not the terms")
        return Check(
            Status.RULE,
            method,
            "checked: same limits; the integrands differ exactly by the score-to-path terms",
        )

    return rule


_TEXT = r"""
The IWAE gradient with respect to the encoder is noisy, and its signal-to-noise ratio falls as
K grows (Rainforth et al. 2018). DReG (Tucker et al. 2019) removes the score-function part:
each score term $\tilde w_i\,\partial_\phi \log q_\phi(z_i)$ is replaced by its reparameterized
counterpart $\partial\tilde w_i/\partial z_i\;\partial z_i/\partial\phi$ — the score-to-path
identity (Stein's lemma) applied to $f = \tilde w_i$ as a function of $z_i$ with the other
samples held fixed. With $\partial\tilde w_i/\partial z_i = (\tilde w_i - \tilde w_i^2)\,
\ell'(z_i)$, the estimator becomes $\sum_i \tilde w_i^2\,\ell'(z_i)\,\partial z_i/\partial\phi$.

Scope: one-dimensional latent, q = N(μ, σ²), any differentiable log-weight ℓ (the steps about
the undefined ℓ hold under the stated conditions), the score-to-path step for one sample (the
others fixed: Fubini), and the assembly at K = 2. For K = 1 DReG is STL (see the STL page).
The numeric reference (`rtverify.gradients`) checks that DReG and the standard IWAE gradient
have the same mean, and that the biased "IWAE-STL" does not.
"""


def derivation() -> Derivation:
    """The DReG identity: E[Σ w̃ ∇ log w] = E[Σ w̃² ℓ′ ∂z/∂φ]."""
    chains = [_weight_derivative_chain()]
    chains += [_score_to_path_chain(p) for p in (mu, sigma)]
    chains += [_assembly_chain(p) for p in (mu, sigma)]
    return Derivation(
        slug="dreg-identity",
        title="Doubly reparameterized gradients (DReG)",
        summary="E[Σ_i w̃_i ∇_φ log w_i] = E[Σ_i w̃_i² ℓ′(z_i) ∂z_i/∂φ]; score to path",
        chains=tuple(chains),
        text=_TEXT,
        scope=(
            "one-dimensional latent, any differentiable log-weight ℓ under stated hypotheses; "
            "score to path per sample with the others fixed; assembly at K = 2"
        ),
        references=(
            "Tucker, G., Lawson, D., Gu, S. & Maddison, C. J. (2019). Doubly Reparameterized "
            "Gradient Estimators for Monte Carlo Objectives. ICLR, eq. (5)-(8).",
            "Burda, Y., Grosse, R. & Salakhutdinov, R. (2016). Importance Weighted "
            "Autoencoders. ICLR.",
        ),
    )
