"""Start the panel: QApplication, language, fonts and style, demo backend, LicenceService, main window, and the
screen a host program asked for (``purchase``, ``renew``, ``open``)."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import i18n

if TYPE_CHECKING:  # imported when needed: `python -m app status` must not load Qt or the demo server
    from PySide6.QtCore import QCoreApplication

    from app.services.demo_backend import DemoBackend
    from app.services.licence_service import LicenceService
    from app.services.paths import AppPaths
    from app.services.settings import ClientSettings
    from app.ui.main_window import MainWindow
    from app.ui.screens import ScreenRun

log = logging.getLogger(__name__)


def choose_language(args: argparse.Namespace, settings: ClientSettings) -> str:
    """--lang, then the saved setting, then the system locale."""
    return i18n.set_language(getattr(args, "lang", None) or settings.language)


def demo_logins(backend: DemoBackend) -> list[tuple[str, str]]:
    return [(entry["login"], entry["password"]) for entry in backend.data.get("logins", [])]


@dataclass
class Panel:
    """A started panel: what ``run_gui`` runs the event loop for, and what must be stopped afterwards."""

    app: QCoreApplication
    window: MainWindow
    backend: DemoBackend | None = None
    screen: ScreenRun | None = None

    def exit_code(self, loop_result: int) -> int:
        """``purchase``/``renew``: whether something was paid; otherwise the event loop's own result."""
        if self.screen is not None and self.screen.screen is not None:
            return self.screen.exit_code
        return loop_result

    def stop(self) -> None:
        if self.backend is not None:
            self.backend.stop()


def run_gui(args: argparse.Namespace) -> int:
    panel = start_gui(args)
    try:
        return panel.exit_code(int(panel.app.exec()))
    finally:
        panel.stop()


def start_gui(args: argparse.Namespace) -> Panel:
    """Everything up to the event loop: QApplication, language, look, demo backend, service, window, screen.

    ``args.screen`` (``purchase``/``renew``/``open`` or None) and ``args.ledger_year`` (the host's validated
    ``(ledger id, fiscal year)`` or None) come from the command line (app/cli/panel.py)."""
    from PySide6.QtWidgets import QApplication

    from app.services.paths import AppPaths
    from app.services.settings import load_settings
    from app.ui.collector import collect_on_gui_thread
    from app.ui.main_window import MainWindow
    from app.ui.screens import open_screen
    from app.ui.theme import apply_theme

    paths = getattr(args, "paths", None) or AppPaths.from_data_dir(getattr(args, "data_dir", None))
    loaded = load_settings(paths)
    choose_language(args, loaded.settings)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collect_on_gui_thread(app)  # the demo server and the workers must never free a widget
    app.setApplicationName("licence-panel")
    app.setApplicationDisplayName(i18n.tr("Licence panel"))
    apply_theme(app)  # type: ignore[arg-type]  # also the language's font and direction (Persian: right to left)

    backend = None
    logins: list[tuple[str, str]] = []
    # --demo with --server: that (demo) server, its key trusted as the command line trusts it; alone: an embedded one.
    demo_server = bool(getattr(args, "demo", False)) and getattr(args, "server", None) is not None
    if getattr(args, "demo", False) and not demo_server:
        from app.services.demo_backend import start_demo_backend
        from app.services.trust import DemoTrust

        backend = start_demo_backend(paths.data_dir)
        for kid, key in backend.public_keys.items():
            DemoTrust(paths).save(kid, key)
        logins = demo_logins(backend)
    try:
        service = build_service(
            paths,
            server_url=backend.url if backend else getattr(args, "server", None),
            demo=backend is not None or demo_server,
        )
        # The first paint loads no keyring: its clock watermark copy joins in the background start-up check
        # (MainWindow.start → LicenceService.restore_session), which opens the keyring on a worker thread.
        service.keyring_watermark.defer_until_keyring_opens()
        window = MainWindow(service, demo_logins=logins, ledger_year=getattr(args, "ledger_year", None))
        window.resize(1040, 720)
        window.show()
        window.start()
        screen = open_screen(window, getattr(args, "screen", None))
        if screen.screen is not None:  # a host waits for this process: it ends with the screen it asked for
            screen.finished.connect(lambda _code: app.quit())
    except BaseException:
        if backend is not None:
            backend.stop()
        raise
    if loaded.warning:
        window.statusBar().showMessage(i18n.tr("Settings file unreadable; defaults are used."), 10_000)
    return Panel(app, window, backend, screen)


def build_service(paths: AppPaths, *, server_url: str | None, demo: bool) -> LicenceService:
    from app.services.licence_service import open_service

    return open_service(paths, server_url=server_url, demo=demo)
