"""Tests for lib.beyond: the unlearning statistic and the multi-index simulator."""
import numpy as np
import pytest

from lib.beyond import simulate_multi_index, unlearned_amount
from lib.hermite import polynomial

T, S = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)


def test_unlearned_amount():
    rise_fall = np.r_[np.linspace(0, 1, 20), np.full(10, 1.0), np.linspace(1, 0.6, 20)]
    assert unlearned_amount(rise_fall) == pytest.approx(1 - rise_fall[-5:].mean(), abs=1e-12)
    assert unlearned_amount(np.linspace(0, 1, 30)) == pytest.approx(0.0, abs=1e-12)
    spike = np.r_[np.full(20, 0.5), 0.9, np.full(20, 0.5)]  # one noisy record is smoothed away
    assert unlearned_amount(spike) < 0.1
    with pytest.raises(ValueError, match="window"):
        unlearned_amount([0.1, 0.2], window=5)
    with pytest.raises(ValueError, match="kappa"):
        unlearned_amount([0.1, np.nan, 0.3, 0.4, 0.5, 0.6])


def test_multi_index_run_shapes_and_reproducibility():
    kw = dict(n_index=2, width=16, dim=8, batch=16, lr=0.1, eps=0.05, a0=0.1, time=2.0, record_every=0.5)
    r1 = simulate_multi_index(T, S, **kw)
    r2 = simulate_multi_index(T, S, **kw)
    assert r1.t.shape == (5,) and r1.per_index.shape == (5, 2)
    assert np.array_equal(r1.subspace, r2.subspace)
    assert np.all((r1.subspace >= 0) & (r1.subspace <= 1 + 1e-12))
    assert not np.array_equal(r1.subspace, simulate_multi_index(T, S, seed=1, **kw).subspace)


def test_one_index_aligns_like_the_single_index_network():
    run = simulate_multi_index(T, S, n_index=1, width=64, dim=16, batch=64, lr=0.1, eps=0.05,
                               a0=0.1, time=20.0, record_every=5.0)
    # one index: subspace alignment = |kappa| and linear alignment = kappa, which reaches ~1
    assert run.linear[-1] > 0.9
    assert np.allclose(np.abs(run.linear[-1]), run.subspace[-1], atol=0.05)


@pytest.mark.parametrize("kw, name", [
    (dict(n_index=5, dim=4), "n_index"), (dict(width=0), "width"), (dict(lr=-1.0), "lr"),
    (dict(a0=float("nan")), "a0"), (dict(record_every=0.01), "record_every"),
])
def test_bad_inputs(kw, name):
    base = dict(n_index=2, width=8, dim=8, batch=8, lr=0.1, eps=0.05, a0=0.1, time=1.0, record_every=0.5)
    base.update(kw)
    with pytest.raises(ValueError, match=name):
        simulate_multi_index(T, S, **base)

