"""Benchmarks that print figures; run them as modules, e.g. `python -m bench.event_store`."""
