"""Wise: a local-first companion that helps you act on what matters to you."""

__version__ = "0.1.0"
