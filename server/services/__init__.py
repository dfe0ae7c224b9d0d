"""Business rules. Functions take a Session (and the clock) and raise ``ApiError``."""
