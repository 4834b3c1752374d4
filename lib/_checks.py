"""Input checks shared by the modules of :mod:`lib`.

Every public function validates what it is given and raises a ``ValueError``
that names the offending argument and its value, instead of letting a NaN or an
endless loop appear later.
"""
from __future__ import annotations

import numpy as np


def finite_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a float array, refusing NaN or infinite entries."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return arr


def positive(name: str, value) -> float:
    """Return ``value`` as a float, refusing non-positive or non-finite values."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return x


def non_negative(name: str, value) -> float:
    """Return ``value`` as a float, refusing negative or non-finite values."""
    x = float(finite_array(name, value))
    if x < 0:
        raise ValueError(f"{name} must be non-negative, got {value!r}")
    return x


def positive_int(name: str, value) -> int:
    """Return ``value`` as an int, refusing non-integers and values below 1."""
    try:
        ok = not isinstance(value, bool) and float(value).is_integer() and value >= 1
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def alignment(name: str, value) -> np.ndarray:
    """Return ``value`` as a float array of alignments, refusing values outside [-1, 1]."""
    arr = finite_array(name, value)
    if np.any(np.abs(arr) > 1):
        raise ValueError(f"{name} must lie in [-1, 1], got {value!r}")
    return arr


def increasing_times(name: str, value) -> np.ndarray:
    """Return a 1-D array of non-negative, strictly increasing times."""
    t = finite_array(name, value)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of times, got shape {t.shape}")
    if t[0] < 0:
        raise ValueError(f"{name} must be non-negative, got first time {t[0]!r}")
    if np.any(np.diff(t) <= 0):
        bad = int(np.argmax(np.diff(t) <= 0))
        raise ValueError(
            f"{name} must be strictly increasing, got {t[bad]!r} followed by {t[bad + 1]!r}"
        )
    return t


def time_grid(name: str, value, n: int = 501) -> np.ndarray:
    """Times to report at: an increasing array as given, or for a single final time
    ``T`` the grid of ``n`` equally spaced times from 0 to ``T``."""
    t = np.asarray(value, dtype=float)
    if t.ndim == 0:
        t = np.linspace(0.0, positive(name, t), n)
    return increasing_times(name, t)
