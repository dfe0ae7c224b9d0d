"""Render the offline activation dialog (request + QR, upload, import, refusal) offscreen to PNG, in zh_CN, en,
vi and fa.

    QT_QPA_PLATFORM=offscreen python scripts/render_offline_screens.py [--out screenshots] [--langs vi,fa]

A real exchange against the embedded demo server: the offline computer's service points at a dead port, the
connected one signs in with the demo login. Reports cut texts and words left in another language like
render_screens.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QWidget  # noqa: E402

from app.services.credentials import CredentialStore  # noqa: E402
from app.services.demo_backend import DemoBackend  # noqa: E402
from app.services.fingerprint import FixedFingerprint, hash_component  # noqa: E402
from app.services.licence_service import LicenceService  # noqa: E402
from app.services.paths import AppPaths  # noqa: E402
from app.services.settings import load_settings  # noqa: E402
from app.ui.offline.offline_dialog import OfflineDialog  # noqa: E402
from scripts import render_common  # noqa: E402
from scripts.render_common import ScreenGrabber, Shot, dead_url, wait_until  # noqa: E402

DIALOG_SIZE = (800, 780)


class OfflineRenderer(ScreenGrabber):
    def __init__(self, out_dir: Path, lang: str, backend: DemoBackend, work: Path) -> None:
        super().__init__(out_dir, lang, backend)
        self.work = work / lang
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

    def run(self) -> list[Shot]:
        fresh = self.backend.data["scenarios"]["fresh"]
        demo = self.backend.data["logins"][0]
        usb = self.work / "usb"
        usb.mkdir(parents=True, exist_ok=True)
        request, response = usb / "offline-request.json", usb / "offline-response.json"

        offline = self.service("air-gapped", dead_url())
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
    def run(out: Path, lang: str, backend: DemoBackend, work: Path) -> list[Shot]:
        return OfflineRenderer(out, lang, backend, work).run()

    # One demo server per language: each run activates the `fresh` licence on its own machine.
    return render_common.render_languages(out_dir, languages, run, prefix="render-offline-")


def main(argv: list[str] | None = None) -> int:
    return render_common.main(argv, __doc__, render)


if __name__ == "__main__":
    sys.exit(main())
