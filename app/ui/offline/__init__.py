"""Air-gapped activation by request and response files."""
