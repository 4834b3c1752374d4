"""The profile of the network step (``python -m lib.bench network --profile``)."""
from lib.bench.network import profile


def test_profile_names_the_operations_of_a_step(capsys):
    n, b = 48, 40
    rows = profile(d=8, n=n, b=b, steps=2, reps=2, top=40)
    shapes = {shape for _, _, shape, _ in rows}
    assert f"f32[{n},{b}]" in shapes  # H = W X^T
    assert all(ms >= 0 for ms, *_ in rows) and sum(ms for ms, *_ in rows) > 0
    assert any(what == "erf_inv" for *_, what in rows)  # the generator
    assert "per-operation times of the step" in capsys.readouterr().out
