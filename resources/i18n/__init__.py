"""Translation catalogues: ``<lang>.json`` mapping English msgids to translations."""
