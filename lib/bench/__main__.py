"""Driver: ``python -m lib.bench [--quick] [section ...]``."""
from __future__ import annotations

import argparse
import importlib
import time

from lib.bench import SECTIONS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short run: fewer shapes and repetitions")
    parser.add_argument("--profile", action="store_true",
                        help="per-operation times (jax.profiler) of the sections that have them "
                             "(network: where a step's time goes), instead of their timings")
    parser.add_argument("sections", nargs="*", help=f"sections to run (default: all of {SECTIONS})")
    args = parser.parse_args(argv)
    names = args.sections or SECTIONS
    for name in names:
        if name not in SECTIONS:
            parser.error(f"unknown section {name!r}; choose from {SECTIONS}")
    for name in names:
        try:
            module = importlib.import_module(f"lib.bench.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"lib.bench.{name}":
                raise
            print(f"== {name}: skipped (module lib/bench/{name}.py not found)")
            continue
        task = "profile" if args.profile else "run"
        if not hasattr(module, task):
            print(f"== {name}: skipped (no {task}() function)")
            continue
        print(f"== {name}")
        t0 = time.perf_counter()
        if args.profile:
            module.profile()
        else:
            module.run(quick=args.quick)
        print(f"== {name}: done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
