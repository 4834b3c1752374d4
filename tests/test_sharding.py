"""Runs laid over several devices (CPU devices forced by XLA_FLAGS, in a subprocess):
identical numbers to one device for the same seeds, and the output really sharded.

The last test (opt-in: ``LIB_MULTIPROCESS_TEST=1``, about 15 s) runs two JAX processes
on this machine through ``jax.distributed`` (gloo collectives on the CPU), as a multi-host
job would, and checks that both receive all the runs, equal to one process's.
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest

MODULE = os.environ.get("SIMULATE_MODULE", "lib.simulate")

SCRIPT = textwrap.dedent(f"""
    import json
    import jax
    import numpy as np
    import {MODULE} as sim
    from lib.hermite import polynomial

    T, S = polynomial(0, 1, 0.2), polynomial(0, 1, 0.5)
    KW = dict(width=16, dim=8, batch=32, lr=0.1, eps=0.05, time=0.4, record_every=0.2)
    layouts = []
    gather = sim._gather

    def spy(tree, n_runs):  # the device arrays the runs came back in
        leaves = jax.tree_util.tree_leaves(tree)
        layouts.append(sorted({{len(x.sharding.device_set) for x in leaves}})
                       + sorted({{s.data.shape[0] for x in leaves for s in x.addressable_shards}}))
        return gather(tree, n_runs)

    sim._gather = spy
    devices = jax.devices()
    spread = sim.simulate_sweep(T, S, a0=[0.1, 0.4], seeds=[3, 4, 2**40, 6], **KW)  # 8 runs, 4 devices
    alone = sim.simulate_sweep(T, S, a0=[0.1, 0.4], seeds=[3, 4, 2**40, 6], devices=devices[:1], **KW)
    same = lambda a, b: bool(np.array_equal(a.kappa_mean, b.kappa_mean)
                             and np.array_equal(a.loss, b.loss)
                             and np.array_equal(a.kappa_final, b.kappa_final))
    print(json.dumps(dict(
        n_devices=len(devices), platform=devices[0].platform, layouts=layouts,
        identical=same(spread, alone),
        distinct=bool(not np.allclose(spread.kappa_final[0, 0], spread.kappa_final[0, 2])))))
""")


def test_runs_sharded_over_four_cpu_devices_give_identical_numbers():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
           "JAX_PLATFORMS": "cpu"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n_devices"] == 4 and out["platform"] == "cpu"
    spread, alone = out["layouts"]
    assert spread == [4, 2]        # every output over 4 devices, 2 runs each
    assert alone == [1, 8]         # the reference: one device, all 8 runs
    assert out["identical"] and out["distinct"]


def test_runs_per_device_and_padding():
    """At most ceil(E / devices) runs per device, on as few devices as that allows."""
    import importlib

    layout = importlib.import_module(MODULE)._layout
    devs = ["d0", "d1", "d2", "d3"]
    assert layout(8, devs) == (devs, 8)
    assert layout(1, devs) == (devs[:1], 1)
    assert layout(5, devs) == (devs[:3], 6)    # 3 devices x 2 runs, one padding run
    assert layout(6, devs) == (devs[:3], 6)
    assert layout(7, devs) == (devs, 8)
    assert layout(3, devs[:1]) == (devs[:1], 3)


WORKER = textwrap.dedent(f"""
    import json, sys
    import jax
    if len(sys.argv) > 1:  # one of two processes (jax.distributed on this machine)
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
        jax.distributed.initialize(coordinator_address=sys.argv[1], num_processes=2,
                                   process_id=int(sys.argv[2]))
    import {MODULE} as sim
    from lib.hermite import polynomial

    run = sim.simulate_sweep(polynomial(0, 1, 0.2), polynomial(0, 1, 0.5), a0=[0.1, 0.4],
                             seeds=[3, 4, 2**40, 6], width=16, dim=8, batch=32, lr=0.1,
                             eps=0.05, time=0.4, record_every=0.2)
    print(json.dumps(dict(devices=len(jax.devices()), local=len(jax.local_devices()),
                          kappa=run.kappa_final.tolist(), loss=run.loss.tolist())))
""")


@pytest.mark.skipif(os.environ.get("LIB_MULTIPROCESS_TEST") != "1",
                    reason="opt-in (LIB_MULTIPROCESS_TEST=1): two JAX processes on this machine")
def test_two_processes_share_the_runs_and_both_get_all_of_them():
    """jax.distributed with two processes of two CPU devices each: the 8 runs are spread
    over the 4 devices of both, and each process receives them all, equal to one process."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "JAX_PLATFORMS": "cpu"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, f"127.0.0.1:{port}", str(i)], cwd=root,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
    single = subprocess.run([sys.executable, "-c", WORKER], cwd=root, env={**env, "XLA_FLAGS": ""},
                            capture_output=True, text=True, timeout=300)
    assert single.returncode == 0, single.stderr[-3000:]
    parse = lambda text: json.loads(text.strip().splitlines()[-1])
    a, b, one = parse(outs[0][0]), parse(outs[1][0]), parse(single.stdout)
    assert a["devices"] == b["devices"] == 4 and a["local"] == b["local"] == 2
    assert a["kappa"] == b["kappa"] == one["kappa"] and a["loss"] == b["loss"] == one["loss"]
