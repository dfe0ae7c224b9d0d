"""联系客服: the vendor's customer service contacts, and where the system's clock is set."""
