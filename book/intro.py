# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Introduction
#
# Test $\E[\He_k]$ and {cite}`imai2026dichotomy`.
#
# $$ \dot\kappa = a $$ (eq-test)
#
# See {eq}`eq-test`.

# %%
from myst_nb import glue
x = 1 + 1
glue("x", x, display=False)

# %% [markdown]
# The value is {glue:text}`x`.
