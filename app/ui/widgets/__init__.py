"""Small reusable widgets of the panel."""
