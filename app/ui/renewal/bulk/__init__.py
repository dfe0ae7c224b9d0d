"""批量续费: one module per step (choose customers, review, payment, status) and the page assembling them."""
