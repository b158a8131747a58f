"""Benchmarks: `python -m bench [--short] [--json-out FILE]` (see docs/benchmarks.md)."""
