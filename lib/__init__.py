"""Library behind the book *Feature learning and unlearning, fast and slow*.

One module per idea:

- :mod:`lib.hermite`       Hermite series of activations and link functions;
- :mod:`lib.reduced`       the two-variable ODE of the infinite-width, large-batch limit;
- :mod:`lib.manifold`      its critical manifold, slow flow, entry-exit, singular limit and
  the dichotomy;
- :mod:`lib.scaling`       scaling laws of complete unlearning and their classification,
  for every class (m, j);
- :mod:`lib.information`   teachers without a linear part: the (m, j) classification, the
  search phase, the loss floor;
- :mod:`lib.populations`   several populations of neurons (the two-population reduction
  of even teachers);
- :mod:`lib.sweep`         the reduced ODE for thousands of parameter sets at once (JAX);
- :mod:`lib.simulate`      finite networks trained by spherical SGD (JAX, CPU or GPU,
  sharded over devices; ``simulate_sweep`` for parameter sweeps);
- :mod:`lib.sgd_reference` the same SGD step in plain numpy, for tests and benchmarks;
- :mod:`lib.finite_batch`  the finite-batch model with shared noise and coherent neurons,
  and the exit of a finite network from its noise floor;
- :mod:`lib.beyond`        helpers for the last chapter (unlearned amount, a multi-index teacher);
- :mod:`lib.display`       what a chapter shows: figures, numbers, tables, parameters;
- :mod:`lib.plotting`      the book's figure style, colours and shared drawings;
- :mod:`lib.bench`         ``python -m lib.bench``: speed ratios measured side by side.
"""
