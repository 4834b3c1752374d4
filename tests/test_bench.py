"""The profile of the network step (``python -m lib.bench network --profile``)."""
from lib.bench.network import operations, profile


def test_profile_names_the_operations_of_a_step(capsys):
    n, b = 48, 40
    rows = profile(d=8, n=n, b=b, steps=2, reps=2, top=40)
    shapes = {shape for _, _, shape, _ in rows}
    assert f"f32[{n},{b}]" in shapes  # H = W X^T
    assert all(ms >= 0 for ms, *_ in rows) and sum(ms for ms, *_ in rows) > 0
    assert any(what == "erf_inv" for *_, what in rows)  # the generator
    assert "per-operation times of the step" in capsys.readouterr().out


def test_operations_of_a_program_text():
    """One output or several (a tuple: a fusion that writes several row sums)."""
    hlo = """
  %ynn_fusion.4 = f32[1024,1024]{1,0} fusion(%a, %b), kind=kCustom, calls=%f, metadata={op_name="jit(s)/while/body/dot_general" stack_frame_id=1}
  %multiply_reduce_fusion = (f32[1024]{0}, f32[1024]{0}, /*index=2*/f32[1024]{0}) fusion(%c), kind=kLoop, calls=%g, metadata={op_name="jit(s)/while/body/reduce_sum"}
  ROOT %tuple.31 = (s32[], f32[8]{0}) tuple(%d, %e)
  %while.5 = (s32[], f32[8,4]{1,0}, f32[8]{0}, u32[2]{0}, /*index=4*/f32[3]{0}) while(%t), condition=%c, body=%b
"""
    assert operations(hlo) == {
        "ynn_fusion.4": ("f32[1024,1024]", "dot_general"),
        "multiply_reduce_fusion": ("(f32[1024], f32[1024], f32[1024])", "reduce_sum"),
        "tuple.31": ("(s32[], f32[8])", "tuple"), "while.5": ("(5 arrays)", "while")}
