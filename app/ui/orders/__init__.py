"""我的订单: orders, refunds and invoices."""
