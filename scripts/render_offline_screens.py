"""Render the offline activation dialog (request + QR, upload, import, refusal) offscreen to PNG, zh_CN and en.

    QT_QPA_PLATFORM=offscreen python scripts/render_offline_screens.py [--out screenshots] [--langs vi,fa]

A real exchange against the embedded demo server: the offline computer's service points at a dead port, the
connected one signs in with the demo login. Reports clipped labels and untranslated texts like render_screens.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app import i18n  # noqa: E402
from app.services.credentials import CredentialStore  # noqa: E402
from app.services.demo_backend import DemoBackend, start_demo_backend  # noqa: E402
from app.services.fingerprint import FixedFingerprint, hash_component  # noqa: E402
from app.services.licence_service import LicenceService  # noqa: E402
from app.services.paths import AppPaths  # noqa: E402
from app.services.settings import load_settings  # noqa: E402
from app.ui.offline_dialog import OfflineDialog  # noqa: E402
from app.ui.theme import apply_theme  # noqa: E402
from scripts.render_screens import Shot, _MemoryKeyring, layout_problems, wait_until  # noqa: E402

DIALOG_SIZE = (800, 780)


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


class OfflineRenderer:
    def __init__(self, out_dir: Path, lang: str, backend: DemoBackend, work: Path) -> None:
        self.out = out_dir / lang
        self.out.mkdir(parents=True, exist_ok=True)
        self.lang, self.backend, self.work = lang, backend, work / lang
        self.keyring = _MemoryKeyring()
        self.shots: list[Shot] = []
        self.parent = QWidget()

    def service(self, name: str, url: str) -> LicenceService:
        paths = AppPaths.from_data_dir(self.work / name)
        settings = load_settings(paths).settings.replace(server_url=url, proxy_mode="none")
        components = {n: hash_component(n, f"offline-{name}-{n}") for n in ("machine_id", "product_uuid", "mac")}
        trusted: Any = self.backend.public_keys
        return LicenceService(
            paths, settings, CredentialStore(backend=self.keyring), FixedFingerprint(components), trusted
        )

    def dialog(self, service: LicenceService, **kw: Any) -> OfflineDialog:
        dialog = OfflineDialog(self.parent, service, **kw)
        dialog.resize(*DIALOG_SIZE)
        dialog.show()
        return dialog

    def grab(self, name: str, widget: QWidget) -> None:
        widget.show()
        QApplication.processEvents()
        path = self.out / f"{name}.png"
        widget.grab().save(str(path))
        self.shots.append(Shot(name, path, layout_problems(widget, self.lang)))

    def run(self) -> list[Shot]:
        fresh = self.backend.data["scenarios"]["fresh"]
        demo = self.backend.data["logins"][0]
        usb = self.work / "usb"
        usb.mkdir(parents=True, exist_ok=True)
        request, response = usb / "offline-request.json", usb / "offline-response.json"

        offline = self.service("air-gapped", _dead_url())
        a = self.dialog(offline, serial=fresh["serial"], cdkey=fresh["cdkey"])
        self.grab("offline_1_start", a)
        a.choose_request_path = lambda: str(request)  # type: ignore[method-assign]
        a.write_button.click()
        wait_until(lambda: a.request_card.isVisible())
        self.grab("offline_2_request_written", a)

        connected = self.service("connected", self.backend.url)
        connected.sign_in(demo["login"], demo["password"], remember=False)
        b = self.dialog(connected)
        b.tabs.setCurrentIndex(1)
        self.grab("offline_3_upload_tab", b)
        b.choose_upload_paths = lambda: (str(request), str(response))  # type: ignore[method-assign]
        b.upload_button.click()
        wait_until(lambda: b.upload_message.isVisible() and not b.ops)
        self.grab("offline_4_upload_choose_org", b)
        if b.org_row.isVisible():
            b.org_combo.setCurrentIndex(max(0, b.org_combo.findData(fresh["org_id"])))
            b.upload_button.click()
            wait_until(lambda: response.exists() and not b.ops)
        self.grab("offline_5_uploaded", b)

        a.choose_response_path = lambda: str(response)  # type: ignore[method-assign]
        a.import_button.click()
        wait_until(lambda: a.badge.isVisible() and not a.ops)
        self.grab("offline_6_imported", a)
        a.import_button.click()  # the same response again: spent
        wait_until(lambda: not a.badge.isVisible() or "imported only once" in a.message.text() or not a.ops)
        wait_until(lambda: not a.ops)
        self.grab("offline_7_refused", a)

        c = self.dialog(offline)
        c.action_buttons["deactivate"].setChecked(True)
        self.grab("offline_8_deactivate", c)
        for dialog in (a, b, c):
            dialog.close()
        return self.shots


def render(out_dir: Path, languages: list[str]) -> list[Shot]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)  # type: ignore[arg-type]
    previous = i18n.current_language()
    shots: list[Shot] = []
    with tempfile.TemporaryDirectory(prefix="render-offline-") as tmp:
        for lang in languages:
            # One demo server per language: each run activates the `fresh` licence on its own machine.
            backend = start_demo_backend(Path(tmp) / lang / "demo")
            try:
                i18n.set_language(lang)
                apply_theme(app)  # type: ignore[arg-type]  # the language's font and direction
                shots += OfflineRenderer(out_dir, lang, backend, Path(tmp)).run()
            finally:
                backend.stop()
    i18n.set_language(previous)
    return shots


def _language_list(value: str) -> list[str]:
    langs = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in langs if v not in i18n.LANGUAGES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown language(s) {unknown}; choose from {', '.join(i18n.LANGUAGES)}")
    return langs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="output directory (git-ignored)")
    parser.add_argument("--lang", action="append", choices=i18n.LANGUAGES, help="default: zh_CN and en")
    parser.add_argument("--langs", type=_language_list, default=[], help="comma-separated, e.g. vi,fa")
    args = parser.parse_args(argv)
    shots = render(Path(args.out), (args.lang or []) + args.langs or ["zh_CN", "en"])
    for shot in shots:
        for problem in shot.problems:
            print(f"{shot.path.relative_to(Path(args.out))}: {problem}")
    print(f"{len(shots)} screens written under {args.out}")
    return 1 if any(s.problems for s in shots) else 0


if __name__ == "__main__":
    sys.exit(main())
