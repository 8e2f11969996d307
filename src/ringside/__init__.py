"""Ringside: a match server for AI programs."""

__version__ = "0.1.0"
