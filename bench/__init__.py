"""Benchmarks of Ringside against the physical limit of its own stack (see README.md)."""
