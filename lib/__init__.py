"""Library behind the book *Feature learning and unlearning, fast and slow*.

One module per idea:

- :mod:`lib.hermite`   Hermite series of activations and link functions;
- :mod:`lib.reduced`   the two-variable ODE of the infinite-width limit;
- :mod:`lib.manifold`  its critical manifold, slow flow and the dichotomy.
"""
