"""Pure licence logic: no Qt, no network, no disk."""
