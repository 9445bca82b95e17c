"""Secure Base: scripted, EFT-inspired conversations for one partner of a couple."""

__version__ = "0.1.0"
