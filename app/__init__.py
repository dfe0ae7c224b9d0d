"""Licence panel: desktop client for activating and managing accounting-software licences."""

__version__ = "0.1.0"
