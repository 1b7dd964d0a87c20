"""The pure cost model: typed inputs in, typed results out; no files, Excel or PDF here.

Every formula is written with numpy so one scenario, a load sweep or a Monte Carlo sample all run
through the same code. ``model.compute(inputs)`` is the entry point.
"""
