r"""Measurements beyond the single-index, infinite-width picture.

* :func:`unlearned_amount`: a noise-robust "did it unlearn?" statistic of an alignment
  curve (peak of a running mean minus the mean of the last records).
* :func:`simulate_multi_index`: a small numpy network (the same spherical SGD as
  :mod:`lib.simulate`) trained on a *multi-index* teacher
  :math:`y = \frac{1}{\sqrt m}\sum_{i=1}^{m}\sigma_*(\langle\theta_i, x\rangle)` with
  orthonormal :math:`\theta_1,\dots,\theta_m` (the first ``m`` coordinate vectors). It
  records the alignment with the teacher subspace, :math:`|P_\Theta w_j|`, and with the
  direction of the teacher's linear part, :math:`\langle w_j, \bar\theta\rangle`,
  :math:`\bar\theta = \frac1{\sqrt m}\sum_i \theta_i`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib._checks import finite_array, positive, positive_int
from lib.hermite import as_series

__all__ = ["unlearned_amount", "MultiIndexRun", "simulate_multi_index"]


def unlearned_amount(kappa, window: int = 5) -> float:
    """Peak of the running mean of ``kappa`` minus the mean of its last ``window`` values.

    ``kappa`` is a 1-D curve (e.g. a seed-mean alignment at the record times). The running
    mean over ``window`` records keeps single noisy records from setting the peak.
    """
    k = finite_array("kappa", kappa)
    window = positive_int("window", window)
    if k.ndim != 1 or k.size < window:
        raise ValueError(f"kappa must be 1-D with at least window={window} values, got shape {k.shape}")
    smooth = np.convolve(k, np.ones(window) / window, mode="valid")
    return float(smooth.max() - k[-window:].mean())


@dataclass(frozen=True)
class MultiIndexRun:
    """Records of :func:`simulate_multi_index` (arrays over record times)."""

    t: np.ndarray
    subspace: np.ndarray   # mean_j |P_Theta w_j|
    linear: np.ndarray     # mean_j <w_j, theta_bar>
    per_index: np.ndarray  # (R, m): mean_j <w_j, theta_i>^2 (how the neurons share the indices)
    a: np.ndarray          # mean_j a_j
    loss: np.ndarray       # batch loss 1/2 mean (f - y)^2 at the record step


def simulate_multi_index(teacher, student, *, n_index: int = 2, width: int, dim: int, batch: int,
                         lr: float, eps: float, a0: float, time: float, record_every: float = 1.0,
                         seed: int = 0) -> MultiIndexRun:
    """Spherical SGD (as in :mod:`lib.simulate`) on a multi-index teacher, in numpy.

    Parameters are those of :func:`lib.simulate.simulate_network`; ``n_index`` is the number
    ``m`` of teacher directions (at most ``dim``).
    """
    teacher, student = as_series("teacher", teacher), as_series("student", student)
    m, n = positive_int("n_index", n_index), positive_int("width", width)
    d, b = positive_int("dim", dim), positive_int("batch", batch)
    if m > d:
        raise ValueError(f"n_index must not exceed dim={d}, got {n_index!r}")
    lr, eps, time = positive("lr", lr), positive("eps", eps), positive("time", time)
    record_every = positive("record_every", record_every)
    a0 = float(finite_array("a0", a0))
    per_record = round(record_every / lr)
    n_rec = round(time / record_every)
    if per_record < 1 or n_rec < 1:
        raise ValueError(f"need lr <= record_every <= time, got lr={lr}, record_every={record_every}, time={time}")
    rng = np.random.default_rng(positive_int("seed + 1", seed + 1) - 1)
    ds = student.derivative()
    W = rng.standard_normal((n, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    a = np.full(n, a0)
    rec = {k: [] for k in ("subspace", "linear", "per_index", "a", "loss")}

    def record(loss):
        P = W[:, :m]
        rec["subspace"].append(np.linalg.norm(P, axis=1).mean())
        rec["linear"].append(P.sum(axis=1).mean() / np.sqrt(m))
        rec["per_index"].append((P**2).mean(axis=0))
        rec["a"].append(a.mean())
        rec["loss"].append(loss)

    record(np.nan)
    for step in range(n_rec * per_record):
        x = rng.standard_normal((b, d))
        y = teacher(x[:, :m]).sum(axis=1) / np.sqrt(m)
        h = x @ W.T
        s = student(h)
        e = s @ a / n - y
        gm = (e[:, None] * ds(h)) * (a[None, :] / b)
        grad = gm.T @ x
        radial = np.sum(gm * h, axis=0)
        W = W - lr * (grad - radial[:, None] * W)
        W /= np.linalg.norm(W, axis=1, keepdims=True)
        a = a - (eps * lr / b) * (e @ s)
        if (step + 1) % per_record == 0:
            record(0.5 * float(np.mean(e**2)))
    t = lr * per_record * np.arange(n_rec + 1)
    return MultiIndexRun(t=t, **{k: np.array(v) for k, v in rec.items()})
