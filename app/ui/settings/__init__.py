"""Server, proxy, certificate and language settings."""
