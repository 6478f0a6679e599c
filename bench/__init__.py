"""Benchmarks and evaluation harnesses: ``python -m bench.<name>``; not timed tests."""
