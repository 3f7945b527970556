"""Recupera: collections management for the IBCEES educational credits."""

__version__ = "0.1.0"
