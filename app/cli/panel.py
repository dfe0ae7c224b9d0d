"""``python -m app`` without a command, and ``purchase``/``renew``/``open``: the panel (Qt is imported only here,
when it is wanted), on the screen a host program asked for and with its ledger-year (``--ledger``/``--year``)."""

from __future__ import annotations

import argparse

from app.cli.errors import EXIT_BLOCKED, CommandError


def run_panel(args: argparse.Namespace) -> int:
    from app.domain.purchase_scope import Notice, requested_ledger_year
    from app.i18n import tr

    # Checked before Qt starts: a host's wrong call is a message and exit 2, not a window that cannot help.
    ledger_year = requested_ledger_year(getattr(args, "ledger", None), getattr(args, "year", None))
    if isinstance(ledger_year, Notice):
        raise CommandError(tr(ledger_year.msgid, **ledger_year.fmt), EXIT_BLOCKED)
    args.ledger_year = ledger_year
    try:
        from app.ui.launch import run_gui
    except ImportError as exc:
        raise CommandError(f"the panel cannot start: {exc}") from exc
    return int(run_gui(args))
