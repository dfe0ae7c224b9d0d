"""Find ``resources/`` in a checkout, an installed wheel and a PyInstaller bundle alike (stdlib only)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

_MARKER = "i18n"  # a directory every copy of resources/ has


@functools.cache
def resources_dir() -> Path:
    """The ``resources`` directory.

    PyInstaller unpacks data under ``sys._MEIPASS``; a checkout and a wheel both keep ``resources`` as a
    sibling of the ``app`` package (the repository root, or site-packages).
    """
    candidates: list[Path] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for candidate in candidates:
        if (candidate / _MARKER).is_dir():
            return candidate
    return candidates[-1]


def resource_path(*parts: str) -> Path:
    """Path of a file under ``resources/``, e.g. ``resource_path("i18n", "zh_CN.json")`` (may not exist)."""
    return resources_dir().joinpath(*parts)
