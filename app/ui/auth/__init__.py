"""Signing in, registering and resetting a password."""
