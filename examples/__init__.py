"""Sample host programs: software a licence panel licenses, using it the way docs/INTEGRATION.md describes."""
