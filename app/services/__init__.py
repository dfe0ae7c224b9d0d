"""I/O services: HTTP, keyring, on-disk cache, machine fingerprint. Never imports Qt."""
