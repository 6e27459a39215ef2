"""Crosscheck: compare versions of a story and record a verdict on each claim."""

__version__ = "0.1.0"
