"""``python -m app`` without a command: the panel (Qt is imported only here, when it is wanted)."""

from __future__ import annotations

import argparse

from app.cli.errors import CommandError


def run_panel(args: argparse.Namespace) -> int:
    try:
        from app.ui.launch import run_gui
    except ImportError as exc:
        raise CommandError(f"the panel cannot start: {exc}") from exc
    return int(run_gui(args))
