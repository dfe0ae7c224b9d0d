"""``python -m examples.mini_ledger``: the command line, the QApplication, and with ``--demo`` the demo server.

``--demo`` starts the licence panel's embedded demo server as ``python -m app --demo`` does (same data dir, so the
panel and ``python -m app --demo check …`` see the same licence), signs in as the demo customer, and activates the
demo's cloud licence when this computer holds none: e会计 云盘版, whose organisation has five ledgers in use and four
bought (账套已用数量大于可用数量) — the state a new ledger runs into, with its two ways out.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication

from app.host import DemoServer, LicenceHost, start_demo_server
from app.host.qt import HostPanel, apply_panel_look, collect_on_gui_thread
from app.i18n import LANGUAGES, tr
from examples.mini_ledger.window import MiniLedgerWindow

# The demo licence (`python -m server demo-data`): the cloud edition, over its ledger limit.
DEMO_LICENCE = "cloud_over_ledgers"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m examples.mini_ledger", description="A tiny bookkeeping program licensed by the licence panel."
    )
    parser.add_argument("--demo", action="store_true", help="start the panel's demo server and use its demo licence")
    parser.add_argument("--lang", choices=LANGUAGES, help="language (default: the panel's)")
    parser.add_argument("--data-dir", help="the licence panel's data directory (default: the panel's own)")
    parser.add_argument("--server", help="licence server URL (default: the panel's setting)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collect_on_gui_thread(app)  # the demo server's threads and the panel's workers must never free a widget
    demo: DemoServer | None = start_demo_server(args.data_dir) if args.demo else None
    try:
        host = LicenceHost(args.data_dir, server_url=demo.url if demo else args.server, demo=demo is not None)
        host.use_panel_language(args.lang)
        if isinstance(app, QApplication):
            app.setApplicationDisplayName(tr("Mini ledger"))
            apply_panel_look(app)  # the panel's look and the language's font and direction
        panel = HostPanel(host, demo_logins=demo.logins if demo else ())
        window = MiniLedgerWindow(host, panel)
        window.show()
        window.start(
            login=demo.customer if demo else None,
            demo_licence=demo.scenarios.get(DEMO_LICENCE) if demo else None,
        )
        return int(app.exec())
    finally:
        if demo is not None:
            demo.stop()
