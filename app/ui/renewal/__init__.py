"""续费 of one licence or many customers, 产品充值, and archiving ledgers to renew fewer."""
