"""The licence protocol shared by the panel and the licence server: pure Python, no Qt, HTTP or database."""
