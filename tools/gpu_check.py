"""The network simulation on a GPU: its tests, then its benchmark up to width 16384.

Run as ``make gpu-check`` (or ``.venv/bin/python tools/gpu_check.py``) on a machine with
an NVIDIA GPU and a CUDA build of JAX (``pip install -U "jax[cuda12]"``). It

1. checks that JAX sees a GPU, and otherwise stops at once with one line and exit
   code 2 (nothing here ever runs in CI);
2. runs ``tests/test_simulate.py`` and ``tests/test_sharding.py`` on the GPU (the
   sharding test forces four CPU devices in its own subprocess, as in CI);
3. times the SGD step of :mod:`lib.simulate` against its bound (two float32 products
   plus the random numbers) at ``d = 1024`` and ``N = B`` = 4096, 8192, 16384, and
   prints its rate as a fraction of the GPU's own float32 matrix-multiply rate
   (``lib.bench.network.run_gpu``), then the 8-point ``a0`` sweep compiled once against
   compiled per point.

Options: ``--quick`` (one width, fewer repetitions), ``--widths 4096 8192`` (others),
``--skip-tests``, ``--allow-cpu`` (run it all on the CPU when there is no GPU: a test of
this script, e.g. ``--allow-cpu --quick --widths 512``). Exit code: 0 if the tests pass and the benchmark ran, 1 if a test
failed, 2 if there is no GPU.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = ["tests/test_simulate.py", "tests/test_sharding.py"]


def gpus():
    """The GPU devices JAX sees (empty if none, or if JAX has no GPU backend)."""
    import jax

    try:
        return list(jax.devices("gpu"))
    except RuntimeError:
        return []


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tools/gpu_check.py", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one width, fewer repetitions")
    parser.add_argument("--widths", type=int, nargs="+", default=None,
                        help="widths N (= batch B) to time, d = 1024 (default 4096 8192 16384)")
    parser.add_argument("--skip-tests", action="store_true", help="only the benchmark")
    parser.add_argument("--allow-cpu", action="store_true",
                        help="without a GPU, run everything on the CPU (to test this script)")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)

    import jax

    found = gpus()
    if not found and args.allow_cpu:
        found = jax.devices()[:1]
        print("gpu-check: no GPU; --allow-cpu: running on the CPU")
    elif not found:
        print(f"gpu-check: JAX {jax.__version__} sees no GPU (devices: "
              f"{', '.join(str(d) for d in jax.devices())}); on a machine with an NVIDIA GPU "
              'install a CUDA build: .venv/bin/pip install -U "jax[cuda12]"', file=sys.stderr)
        return 2
    else:
        print(f"gpu-check: {len(found)} GPU(s): {', '.join(d.device_kind for d in found)}")

    status = 0
    if not args.skip_tests:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
                              cwd=ROOT)
        status = 1 if proc.returncode else 0
        print(f"gpu-check: tests {'FAILED' if status else 'passed'} "
              f"({time.perf_counter() - t0:.0f} s)")

    from lib.bench import network, network_sweep

    widths = args.widths or ([4096] if args.quick else [4096, 8192, 16384])
    shapes = [(1024, n, n) for n in widths]
    results = network.run_gpu(shapes, quick=args.quick, device=found[0])
    network_sweep.run(quick=args.quick)
    worst = max(m["ratio"] for m in results.values())
    least = min(m["fraction_of_matmul_rate"] for m in results.values())
    print(f"gpu-check: {'FAILED' if status else 'ok'}; step/bound at most {worst:.2f}, step at least "
          f"{least:.2f} of the float32 matmul rate, over widths {', '.join(map(str, widths))}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
