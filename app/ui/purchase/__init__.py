"""立即购买 for one ledger and fiscal year, and paying for it."""
