"""Facts about the platform a test runs on that pytest's markers do not know."""

from __future__ import annotations

import ctypes
import sys


def under_wine() -> bool:
    """Windows Python running under Wine (the Windows lane), which ntdll's Wine-only export gives away."""
    if sys.platform != "win32":
        return False
    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")


UNDER_WINE = under_wine()
