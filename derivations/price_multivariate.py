"""Bonnet's and Price's theorems in two dimensions: for z ∼ N(μ, Σ), Σ a symmetric positive
definite 2 × 2 matrix,

- Bonnet: ∂/∂μ_i E[f(z)] = E[∂_i f(z)];
- Price: ∂/∂Σ_ii E[f(z)] = ½ E[∂_i² f(z)] and, with Σ₁₂ = Σ₂₁ one parameter,
  ∂/∂Σ₁₂ E[f(z)] = E[∂₁∂₂ f(z)] (the two entries it stands for, ½ each); differentiating the
  symmetrised expectation E f under Σ = ½(A + Aᵀ) in an unconstrained A gives ½ E[∂₁∂₂ f] for
  each of A₁₂ and A₂₁: ∇_Σ E f = ½ E ∇²f entrywise (Opper & Archambeau 2009; checked for A₁₂
  on exp(aᵀz)).

Every expectation is an integral over ε ∼ N(0, I₂) with z = μ + L(Σ)ε, L(Σ) the Cholesky factor
written in the entries of Σ: L₁₁ = √Σ₁₁, L₂₁ = Σ₁₂/√Σ₁₁, L₂₂ = √(Σ₂₂ − Σ₁₂²/Σ₁₁). For an
abstract f: the Leibniz rule and Stein's lemma per coordinate (hypotheses stated); in closed form,
proved, for a bivariate quartic with all 15 coefficients symbolic and for exp(aᵀz); the chains
"E[f(z)] in closed form" also certify that μ + L(Σ)ε has the mean and covariance of N(μ, Σ)
(its moment generating function, and every moment up to order 4).
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Chain, Derivation, Step
from rtverify.rules import leibniz, pointwise, stein

from ._common import eps_vector, expect_multi, gaussian_terms

__all__ = ["ORDER", "PRICE_FACTOR", "D", "cholesky_of", "derivation"]

ORDER = 12
#: Seconds to check on one idle core (measured), for balancing `rtverify verify`'s processes.
COST = 2.2

#: Dimension (SymPy has no symbolic-size Cholesky factor).
D = 2
#: ∂/∂Σ_ab E f = PRICE_FACTOR[(a, b)] · E[∂_a ∂_b f] with Σ₁₂ = Σ₂₁ one parameter.
PRICE_FACTOR = {(0, 0): sp.Rational(1, 2), (0, 1): sp.Integer(1), (1, 1): sp.Rational(1, 2)}

_mu = sp.symbols(f"mu_1:{D + 1}", real=True)
_S11, _S22 = sp.symbols("Sigma_11 Sigma_22", positive=True)
_S12 = sp.Symbol("Sigma_12", real=True)
_SIGMA = {(0, 0): _S11, (0, 1): _S12, (1, 1): _S22}
_eps = eps_vector(D)
_y = sp.symbols(f"y_1:{D + 1}", real=True)
_f = sp.Function("f")
_WORDS = {sp.Rational(1, 2): "½ ", sp.Integer(1): ""}
_PD = "Σ positive definite: Σ₁₁, Σ₂₂ > 0 and Σ₁₁Σ₂₂ > Σ₁₂² (stated; L(Σ) is then real)"
_DOMINATION = (
    "domination: |∂_k f(z) ∂z_k/∂{p}| φ(ε₁)φ(ε₂) ≤ g(ε) with ∫ g < ∞ for {p} near its value; "
    "f differentiable"
)


def cholesky_of(s11: sp.Expr, s12: sp.Expr, s22: sp.Expr) -> sp.Matrix:
    """The Cholesky factor of [[s11, s12], [s12, s22]] in its entries."""
    return sp.Matrix(
        [[sp.sqrt(s11), 0], [s12 / sp.sqrt(s11), sp.sqrt(s22 - s12**2 / s11)]],
    )


def _z(s11=_S11, s12=_S12, s22=_S22) -> sp.Matrix:
    return sp.Matrix(_mu) + cholesky_of(s11, s12, s22) * sp.Matrix(_eps)


class _Named(sp.Function):
    """A sub-expression of the abstract-f chains under a short name on the page (their displays
    are otherwise wider than a page). Its derivatives are SymPy's of :meth:`definition`, written
    back with the name where it recurs (∂√x = 1/(2√x)); the name is printing only."""

    _tex = ""

    def definition(self) -> sp.Expr:
        raise NotImplementedError

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        value = self.definition()
        return sp.diff(value, self.args[argindex - 1]).subs(value, self)

    def _eval_is_real(self) -> bool:
        return True

    def _latex(self, printer) -> str:
        return self._tex


class _L22(_Named):
    """L₂₂(Σ) = √(Σ₂₂ − Σ₁₂²/Σ₁₁); args (Σ₁₁, Σ₁₂, Σ₂₂)."""

    nargs = 3
    _tex = "L_{22}"

    def definition(self) -> sp.Expr:
        s11, s12, s22 = self.args
        return sp.sqrt(s22 - s12**2 / s11)

    def _eval_is_positive(self) -> bool:
        return True  # Σ positive definite (stated)


class _Z1(_Named):
    """z₁ = μ₁ + √Σ₁₁ ε₁; args (μ₁, Σ₁₁, ε₁)."""

    nargs = 3
    _tex = "z_{1}"

    def definition(self) -> sp.Expr:
        m1, s11, e1 = self.args
        return m1 + sp.sqrt(s11) * e1


class _Z2(_Named):
    """z₂ = μ₂ + (Σ₁₂/√Σ₁₁) ε₁ + L₂₂ ε₂; args (μ₂, Σ₁₁, Σ₁₂, Σ₂₂, ε₁, ε₂)."""

    nargs = 6
    _tex = "z_{2}"

    def definition(self) -> sp.Expr:
        m2, s11, s12, s22, e1, e2 = self.args
        return m2 + s12 / sp.sqrt(s11) * e1 + _L22(s11, s12, s22) * e2


def _z_named() -> sp.Matrix:
    """z = μ + L(Σ)ε by name, (z₁, z₂) (abstract-f chains)."""
    return sp.Matrix(
        [
            _Z1(_mu[0], _S11, _eps[0]),
            _Z2(_mu[1], _S11, _S12, _S22, _eps[0], _eps[1]),
        ]
    )


def _cholesky_named() -> sp.Matrix:
    """L(Σ) with L₂₂ by name: ∂z/∂ε, from the definitions of z₁, z₂."""
    return sp.Matrix([[z.definition() for z in _z_named()]]).jacobian(_eps)


def _at(expr: sp.Expr, z: sp.Matrix) -> sp.Expr:
    return expr.subs(dict(zip(_y, z, strict=True)), simultaneous=True)


def _E(integrand: sp.Expr) -> sp.Integral:
    return expect_multi(integrand, _eps)


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(*indices: int) -> str:
    """Indices counted from 0 as subscripts counted from 1: (0, 1) → ₁₂."""
    return "".join(str(i + 1) for i in indices).translate(_SUB)


def _name(a: int, b: int) -> str:
    return f"Σ{_sub(a, b)}"


# --- an abstract f: hypotheses stated -----------------------------------------------------


def _df(*indices: int) -> sp.Expr:
    """∂_{i…} f at z = μ + L(Σ)ε for the undefined f (variables in sorted order)."""
    derivative = sp.Derivative(_f(*_y), *(_y[i] for i in sorted(indices)))
    return sp.Subs(derivative, _y, tuple(_z_named()))


def _bonnet_abstract(i: int) -> Chain:
    return Chain(
        f"Bonnet: ∂/∂μ{_sub(i)} E[f(z)] = E[∂{_sub(i)} f(z)], any differentiable f",
        sp.Derivative(_E(_f(*_z_named())), _mu[i]),
        (
            Step(
                _E(_df(i)),
                f"Leibniz rule; chain rule with ∂z/∂μ{_sub(i)} = e{_sub(i)}",
                ("support of ε independent of μ (checked)", _DOMINATION.format(p=f"μ{_sub(i)}")),
                rule=leibniz(_mu[i]),
            ),
        ),
    )


def _price_abstract(a: int, b: int) -> Chain:
    s = _SIGMA[(a, b)]
    L = _cholesky_named()
    dL = L.diff(s)
    # ∂z_k/∂s = Σ_j ∂L_kj/∂s ε_j, so the Leibniz integrand is Σ_j u_j ε_j with
    u = {_eps[j]: sp.Add(*(_df(k) * dL[k, j] for k in range(D))) for j in range(D)}
    # Stein: Σ_j ∂u_j/∂ε_j = Σ_{k,l} ∂_k∂_l f (∂L/∂s Lᵀ)_kl, ∂L/∂s Lᵀ + L ∂Lᵀ/∂s = ∂Σ/∂s
    m = (dL * L.T).applyfunc(sp.simplify)
    terms = [m[k, n] * _df(k, n) for k in range(D) for n in range(D) if m[k, n] != 0]
    hessian = sp.Add(*terms, evaluate=False)  # shown term by term: the step after cancels
    return Chain(
        f"Price: ∂/∂{_name(a, b)} E[f(z)] = {_WORDS[PRICE_FACTOR[(a, b)]]}"
        f"E[∂{_sub(a)}∂{_sub(b)} f(z)], any twice differentiable f",
        sp.Derivative(_E(_f(*_z_named())), s),
        (
            Step(
                _E(sp.Add(*(uj * v for v, uj in u.items()))),
                f"Leibniz rule; ∂z/∂{_name(a, b)} = (∂L/∂{_name(a, b)}) ε",
                (_PD, "support of ε independent of Σ (checked)", _DOMINATION.format(p=_name(a, b))),
                rule=leibniz(s),
            ),
            Step(
                _E(hessian),
                "Stein's lemma in each coordinate: E[u_j ε_j] = E[∂u_j/∂ε_j], and "
                "∂/∂ε_j ∂_k f(z) = Σ_l ∂_l∂_k f(z) L_lj",
                (
                    "u_j φ(ε_j) → 0 as ε_j → ±∞ (e.g. ∂f of polynomial growth)",
                    "u_j ε_j and ∂u_j/∂ε_j integrable against N(0, I₂)",
                ),
                rule=stein(u),
            ),
            Step(
                _E(PRICE_FACTOR[(a, b)] * _df(a, b)),
                "(∂L/∂Σ_ab) Lᵀ + L (∂L/∂Σ_ab)ᵀ = ∂Σ/∂Σ_ab and the Hessian is symmetric "
                "(f twice continuously differentiable)",
                rule=pointwise("integrands equal pointwise (Σ = L Lᵀ)"),
            ),
        ),
    )


# --- closed forms: proved ---------------------------------------------------------------


def _family() -> list[tuple[str, sp.Expr, sp.Expr]]:
    """(name, f(y), E f under N(μ, Σ)): exp(aᵀy) with E = exp(aᵀμ + ½ aᵀΣa) (its mgf), and a
    quartic Σ_{i+j≤4} c_ij y₁^i y₂^j whose mean is read off the mgf (∂_a^i ∂_a^j at a = 0) --
    a route independent of the integration in ε that checks it."""
    a = sp.symbols(f"a_1:{D + 1}", real=True)
    sigma = sp.Matrix([[_S11, _S12], [_S12, _S22]])
    av = sp.Matrix(a)
    mgf = sp.exp((av.T * sp.Matrix(_mu))[0, 0] + (av.T * sigma * av)[0, 0] / 2)
    c = {(i, j): sp.Symbol(f"c_{i}{j}", real=True) for i in range(5) for j in range(5 - i)}
    quartic = sp.Add(*(cij * _y[0] ** i * _y[1] ** j for (i, j), cij in c.items()))
    at_zero = {a[0]: 0, a[1]: 0}
    mean = sp.Add(
        *(cij * sp.diff(mgf, (a[0], i), (a[1], j)).subs(at_zero) for (i, j), cij in c.items())
    )
    exp = sp.exp(a[0] * _y[0] + a[1] * _y[1])
    return [("exp(aᵀz)", exp, mgf), ("a quartic Σ c_ij z₁^i z₂^j, i + j ≤ 4", quartic, mean)]


def _family_chains(name: str, f: sp.Expr, mean: sp.Expr) -> list[Chain]:
    def closed(expr):
        return Step(expr, "Gaussian moments of ε (completing the square)", prepare=gaussian_terms)

    expectation = _E(_at(f, _z()))
    chains = [Chain(f"{name}: E[f(z)] in closed form", expectation, (closed(mean),))]
    for i in range(D):
        chains.append(
            Chain(
                f"{name}: Bonnet in μ{_sub(i)}",
                sp.Derivative(expectation, _mu[i]),
                (
                    Step(
                        _E(_at(f.diff(_y[i]), _z())),
                        f"E[∂{_sub(i)} f(z)] in closed form",
                        prepare=gaussian_terms,
                    ),
                ),
            )
        )
    for (a, b), factor in PRICE_FACTOR.items():
        chains.append(
            Chain(
                f"{name}: Price in {_name(a, b)}",
                sp.Derivative(expectation, _SIGMA[(a, b)]),
                (
                    Step(
                        _E(factor * _at(f.diff(_y[a], _y[b]), _z())),
                        f"{_WORDS[factor]}E[∂{_sub(a)}∂{_sub(b)} f(z)] in closed form",
                        prepare=gaussian_terms,
                    ),
                ),
            )
        )
    if not f.has(sp.exp):
        return chains  # the unconstrained convention once, on exp(aᵀz): it costs a second here
    a12, a21 = sp.symbols("A_12 A_21", real=True)
    symmetrised = _E(_at(f, _z(s12=(a12 + a21) / 2)))
    chains.append(
        Chain(
            f"{name}: the unconstrained convention, Σ₁₂ = Σ₂₁ = (A₁₂ + A₂₁)/2",
            sp.Derivative(symmetrised, a12),
            (
                Step(
                    _E(_at(f.diff(_y[0], _y[1]), _z(s12=(a12 + a21) / 2)) / 2),
                    "½ E[∂₁∂₂ f(z)]: the off-diagonal entry of ½ E ∇²f",
                    prepare=gaussian_terms,
                ),
            ),
        )
    )
    return chains


_TEXT = r"""
For $z \sim \mathcal N(\mu, \Sigma)$ in two dimensions the gradients of $\mathbb E[f(z)]$ are
expectations of derivatives of f: $\nabla_\mu \mathbb E f = \mathbb E \nabla f$ (Bonnet) and
$\nabla_\Sigma \mathbb E f = \tfrac12 \mathbb E \nabla^2 f$ (Price). The factor of an
off-diagonal entry depends on what is differentiated. Here $\Sigma_{12} = \Sigma_{21}$ is **one**
parameter: then $\partial/\partial\Sigma_{12}\,\mathbb E f = \mathbb E[\partial_1\partial_2 f]$
(it moves both entries, ½ each). Writing $\Sigma = \tfrac12(A + A^\top)$ with $A$ unconstrained,
each of $\partial/\partial A_{12}$ and $\partial/\partial A_{21}$ is
$\tfrac12\mathbb E[\partial_1\partial_2 f]$: that is the matrix formula, entry by entry (the
diagonal entries agree in both conventions; the unconstrained one is checked on $e^{a^\top z}$,
for $A_{12}$, $A_{21}$ being the same computation).

Every expectation is an integral over $\epsilon \sim \mathcal N(0, I_2)$ with
$z = \mu + L(\Sigma)\epsilon$, $L(\Sigma)$ the Cholesky factor written in the entries of
$\Sigma$: $L_{11} = \sqrt{\Sigma_{11}}$, $L_{21} = \Sigma_{12}/\sqrt{\Sigma_{11}}$,
$L_{22} = \sqrt{\Sigma_{22} - \Sigma_{12}^2/\Sigma_{11}}$ (real when Σ is positive definite; that
condition is stated, SymPy's assumptions cannot express it). In the chains about an abstract f,
$z_1 = \mu_1 + \sqrt{\Sigma_{11}}\,\epsilon_1$, $z_2 = \mu_2 + (\Sigma_{12}/\sqrt{\Sigma_{11}})
\,\epsilon_1 + L_{22}\,\epsilon_2$ and $L_{22}$ are names on the page only: SymPy differentiates
their definitions. For an abstract f the identities
hold under stated hypotheses: the Leibniz rule in $\mu_i$ or $\Sigma_{ab}$ (integration limits
checked, domination stated), then Stein's lemma in each coordinate,
$\mathbb E[u_j(\epsilon)\epsilon_j] = \mathbb E[\partial u_j/\partial\epsilon_j]$ (integrands
checked, boundary terms and integrability stated), then the algebra
$(\partial L)L^\top + L(\partial L)^\top = \partial\Sigma$, checked pointwise. In closed form the
identities are **proved** for $e^{a^\top z}$ and for a quartic with all 15 coefficients symbolic:
each side is integrated exactly and the mean itself is checked against the moment generating
function. Scope: D = 2 only; one dimension is on the page of Bonnet's and Price's theorems.
"""


def derivation() -> Derivation:
    """Bonnet's and Price's theorems for a bivariate Gaussian."""
    chains = [_bonnet_abstract(i) for i in range(D)]
    chains += [_price_abstract(a, b) for a, b in PRICE_FACTOR]
    for name, f, mean in _family():
        chains += _family_chains(name, f, mean)
    return Derivation(
        slug="price-multivariate",
        title="Bonnet's and Price's theorems in two dimensions",
        summary="∇_μ E f = E ∇f, ∇_Σ E f = ½ E ∇²f for z ∼ N(μ, Σ), D = 2 (Σ₁₂ = Σ₂₁ one "
        "parameter: ∂_{Σ₁₂} E f = E ∂₁∂₂f)",
        chains=tuple(chains),
        text=_TEXT,
        scope=(
            "instance D = 2, Σ symbolic: any (twice) differentiable f under stated hypotheses "
            "(Leibniz, Stein per coordinate); proved in closed form for exp(aᵀz) and a quartic "
            "with 15 symbolic coefficients; D > 2 not checked"
        ),
        references=(
            "Price, R. (1958). A useful theorem for nonlinear devices having Gaussian inputs. "
            "IRE Transactions on Information Theory 4(2), 69-72.",
            "Bonnet, G. (1964). Transformations des signaux aléatoires à travers les systèmes "
            "non linéaires sans mémoire. Annales des Télécommunications 19, 203-220.",
            "Opper, M. & Archambeau, C. (2009). The variational Gaussian approximation "
            "revisited. Neural Computation 21(3), 786-792.",
            "Stein, C. (1981). Estimation of the mean of a multivariate normal distribution. "
            "Annals of Statistics 9(6), 1135-1151 (Gaussian integration by parts).",
        ),
    )
