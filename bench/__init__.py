"""Benchmarks: scripts that serve the app as in production and time it (not tests; see README.md)."""
