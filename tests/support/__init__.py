"""Test helpers shared by the suites (real servers, real databases)."""
