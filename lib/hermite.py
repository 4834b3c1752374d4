r"""Hermite algebra for activations and link functions.

A function of a standard Gaussian variable :math:`z \sim N(0, 1)` is written in the
probabilists' Hermite polynomials,

.. math:: f(z) = \sum_k f_k \, \mathrm{He}_k(z), \qquad
          \mathbb{E}[\mathrm{He}_j(z)\,\mathrm{He}_k(z)] = k!\,\delta_{jk},

so that :math:`f_k = \mathbb{E}[f(z)\mathrm{He}_k(z)]/k!` and
:math:`\mathbb{E}[f(z)^2] = \sum_k k!\, f_k^2`.

:class:`HermiteSeries` stores the coefficients :math:`f_0, \dots, f_K` and offers
evaluation, the Gaussian norm, the derivative, products of coefficients that the
reduced dynamics needs, and the Mehler smoothing
:math:`\mathbb{E}_\xi[f(\kappa z + \sqrt{1-\kappa^2}\,\xi)] = \sum_k f_k \kappa^k \mathrm{He}_k(z)`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.polynomial import hermite_e as _he
from scipy import special

from lib._checks import alignment, finite_array, positive_int

__all__ = ["HermiteSeries", "as_series", "relu", "tanh", "erf", "gelu", "polynomial"]


def _factorials(n: int) -> np.ndarray:
    """``[0!, 1!, ..., (n-1)!]`` as floats."""
    return np.array([math.factorial(k) for k in range(n)], dtype=float)


@dataclass(frozen=True, eq=False)
class HermiteSeries:
    """The series :math:`\\sum_k` ``coeffs[k]`` :math:`\\mathrm{He}_k`.

    Parameters
    ----------
    coeffs
        Coefficients in the probabilists' Hermite basis, lowest degree first.
        They must be finite; trailing zeros are kept.
    """

    coeffs: np.ndarray

    def __post_init__(self):
        c = finite_array("coeffs", self.coeffs)
        if c.ndim != 1 or c.size == 0:
            raise ValueError(f"coeffs must be a non-empty 1-D sequence, got shape {c.shape}")
        c = c.copy()
        c.setflags(write=False)
        object.__setattr__(self, "coeffs", c)

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_function(cls, fn, degree: int, quad_points: int | None = None) -> "HermiteSeries":
        """Project ``fn`` on :math:`\\mathrm{He}_0, \\dots, \\mathrm{He}_{degree}`.

        Uses Gauss-Hermite quadrature for the weight :math:`e^{-z^2/2}`, exact for
        polynomials of degree below ``2 * quad_points``. The default number of
        points (``max(4 * degree, 200)``) is ample for smooth functions; kinked ones
        (ReLU) converge slowly, which is why :func:`relu` uses closed forms.
        """
        degree = positive_int("degree + 1", degree + 1) - 1
        n = positive_int("quad_points", quad_points or max(4 * degree, 200))
        z, w = _he.hermegauss(n)
        w = w / math.sqrt(2 * math.pi)  # weights of the standard Gaussian
        fz = finite_array("fn(z) at the quadrature nodes", fn(z))
        basis = _he.hermevander(z, degree)  # basis[i, k] = He_k(z_i)
        coeffs = (w * fz) @ basis / _factorials(degree + 1)
        return cls(coeffs)

    # -- basic properties -----------------------------------------------------------
    @property
    def degree(self) -> int:
        """Index of the last stored coefficient."""
        return self.coeffs.size - 1

    def __call__(self, z):
        """Evaluate the series at ``z`` (any array shape)."""
        return _he.hermeval(np.asarray(z, dtype=float), self.coeffs)

    def weighted(self) -> np.ndarray:
        """The coefficients times :math:`k!`: :math:`k!\\, f_k = \\mathbb{E}[f\\,\\mathrm{He}_k]`."""
        return _factorials(self.coeffs.size) * self.coeffs

    def inner(self, other: "HermiteSeries") -> float:
        """Gaussian inner product :math:`\\mathbb{E}[f(z) g(z)] = \\sum_k k!\\, f_k g_k`."""
        n = min(self.coeffs.size, other.coeffs.size)
        return float(np.sum(self.weighted()[:n] * other.coeffs[:n]))

    def norm2(self) -> float:
        """:math:`\\mathbb{E}[f(z)^2] = \\sum_k k!\\, f_k^2`."""
        return self.inner(self)

    def norm(self) -> float:
        """:math:`\\sqrt{\\mathbb{E}[f(z)^2]}`."""
        return math.sqrt(self.norm2())

    def derivative(self) -> "HermiteSeries":
        """The series of :math:`f'`, using :math:`\\mathrm{He}_k' = k\\, \\mathrm{He}_{k-1}`."""
        if self.degree == 0:
            return HermiteSeries([0.0])
        k = np.arange(1, self.coeffs.size)
        return HermiteSeries(k * self.coeffs[1:])

    def mehler(self, kappa: float) -> "HermiteSeries":
        """Smoothing over the orthogonal direction (Mehler's formula).

        For :math:`|\\kappa| \\le 1`,
        :math:`\\mathbb{E}_\\xi[f(\\kappa z + \\sqrt{1-\\kappa^2}\\,\\xi)]
        = \\sum_k f_k \\kappa^k \\mathrm{He}_k(z)`.
        """
        kappa = float(alignment("kappa", kappa))
        return HermiteSeries(self.coeffs * kappa ** np.arange(self.coeffs.size))

    def truncate(self, degree: int) -> "HermiteSeries":
        """Keep the coefficients up to ``degree``."""
        return HermiteSeries(self.coeffs[: positive_int("degree + 1", degree + 1)])

    def __add__(self, other: "HermiteSeries") -> "HermiteSeries":
        n = max(self.coeffs.size, other.coeffs.size)
        return HermiteSeries(np.pad(self.coeffs, (0, n - self.coeffs.size))
                             + np.pad(other.coeffs, (0, n - other.coeffs.size)))

    def __mul__(self, scalar: float) -> "HermiteSeries":
        return HermiteSeries(float(scalar) * self.coeffs)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        terms = [f"{c:+.4g} He_{k}" for k, c in enumerate(self.coeffs) if c != 0]
        return "HermiteSeries(" + (" ".join(terms) if terms else "0") + ")"


def as_series(name: str, value) -> HermiteSeries:
    """``value`` as a :class:`HermiteSeries` (coefficient sequences are converted).

    Errors name the argument, e.g. ``teacher: coeffs must be finite, got [0, nan]``.
    """
    if isinstance(value, HermiteSeries):
        return value
    try:
        return HermiteSeries(value)
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from None


# -- presets ----------------------------------------------------------------------------
def polynomial(*coeffs: float) -> HermiteSeries:
    """``polynomial(c0, c1, c2)`` is :math:`c_0 + c_1 \\mathrm{He}_1 + c_2 \\mathrm{He}_2`."""
    return HermiteSeries(coeffs)


def relu(degree: int = 40) -> HermiteSeries:
    r"""ReLU :math:`\max(z, 0)` from closed forms.

    Gaussian integration by parts gives :math:`\mathbb{E}[f\,\mathrm{He}_k] = \mathbb{E}[f^{(k)}]`,
    and :math:`\mathrm{relu}'' = \delta_0`, so for :math:`k \ge 2`
    :math:`\mathbb{E}[\mathrm{relu}\,\mathrm{He}_k] = \mathrm{He}_{k-2}(0)/\sqrt{2\pi}`;
    :math:`\mathbb{E}[\mathrm{relu}] = 1/\sqrt{2\pi}` and
    :math:`\mathbb{E}[\mathrm{relu}\,\mathrm{He}_1] = 1/2`.
    """
    degree = positive_int("degree", degree)
    ek = np.zeros(degree + 1)
    ek[0] = 1 / math.sqrt(2 * math.pi)
    ek[1] = 0.5
    he_at_0 = _he.hermeval(0.0, np.eye(degree + 1)[: degree - 1].T) if degree >= 2 else []
    ek[2:] = np.asarray(he_at_0) / math.sqrt(2 * math.pi)
    return HermiteSeries(ek / _factorials(degree + 1))


def tanh(degree: int = 15) -> HermiteSeries:
    """:math:`\\tanh(z)` by quadrature (odd: only odd coefficients are non-zero)."""
    s = HermiteSeries.from_function(np.tanh, degree)
    return HermiteSeries(np.where(np.arange(degree + 1) % 2 == 1, s.coeffs, 0.0))


def erf(degree: int = 15) -> HermiteSeries:
    """:math:`\\mathrm{erf}(z)` by quadrature (odd)."""
    s = HermiteSeries.from_function(special.erf, degree)
    return HermiteSeries(np.where(np.arange(degree + 1) % 2 == 1, s.coeffs, 0.0))


def gelu(degree: int = 15) -> HermiteSeries:
    """GELU :math:`z\\,\\Phi(z)` by quadrature."""
    return HermiteSeries.from_function(lambda z: z * special.ndtr(z), degree)
