"""Steward: the privacy policy as code, enforced across the company's own databases."""

__version__ = "0.1.0"
