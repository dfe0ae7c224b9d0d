"""Render the sample host program's journey (examples/mini_ledger) offscreen to PNG.

    QT_QPA_PLATFORM=offscreen python scripts/render_mini_ledger_screens.py [--out screenshots] [--langs vi,fa]

Against a fresh embedded demo server per language, as ``python -m examples.mini_ledger --demo`` runs: the demo
licence over its ledger limit, a new ledger refused with the way out, archiving one, a ledger-year opened, vouchers
posted until the quota stops them, the panel's 立即购买 bound to that ledger-year, paid in the sandbox, and 结账
open afterwards; then 系统认证 embedded in the mini ledger's second tab.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.host import LicenceHost  # noqa: E402
from app.services.credentials import CredentialStore  # noqa: E402
from app.services.demo_backend import DemoBackend  # noqa: E402
from app.services.fingerprint import FixedFingerprint, hash_component  # noqa: E402
from app.services.licence_service import LicenceService  # noqa: E402
from app.services.paths import AppPaths  # noqa: E402
from app.services.settings import load_settings  # noqa: E402
from scripts import render_common  # noqa: E402
from scripts.render_common import ScreenGrabber, Shot, pay, wait_until  # noqa: E402
from tests.support import mini_ledger as journey  # noqa: E402

WINDOW_SIZE = (1120, 780)
DIALOG_SIZE = (760, 660)


def host_for(grabber: ScreenGrabber, work: Path) -> LicenceHost:
    """A computer of its own (data dir, feature code) talking to the demo server, as --demo sets it up."""
    paths = AppPaths.from_data_dir(work / grabber.lang / "mini-ledger")
    settings = load_settings(paths).settings.replace(server_url=grabber.backend.url, proxy_mode="none")
    components = {n: hash_component(n, f"mini-ledger-{n}") for n in ("machine_id", "product_uuid", "mac")}
    service = LicenceService(
        paths,
        settings,
        CredentialStore(backend=grabber.keyring),
        FixedFingerprint(components),
        grabber.backend.public_keys,  # type: ignore[arg-type]
        demo=True,
    )
    return LicenceHost(service=service)


def render_mini_ledger(grabber: ScreenGrabber, work: Path) -> None:
    """The journey, one shot per step: mini_ledger_1… (the window), mini_ledger_…_dialog (the panel's dialogs)."""
    data = grabber.backend.data
    login = (data["logins"][0]["login"], data["logins"][0]["password"])
    window = journey.open_mini_ledger(host_for(grabber, work), [login], WINDOW_SIZE)
    journey.start_demo(window, wait_until, login, data["scenarios"])
    grabber.grab("mini_ledger_1_over_the_limit", window)

    journey.create_ledger(window, wait_until, "C6", "C6 杭州云账科技 门店6")
    grabber.grab("mini_ledger_2_new_ledger_refused", window)
    box = journey.ask_archive(window, "C5")
    grabber.grab("mini_ledger_3_archive_confirm_dialog", box)
    journey.confirm_archive(window, wait_until, box)
    grabber.grab("mini_ledger_4_archived", window)

    journey.open_year(window, wait_until, "C1")
    grabber.grab("mini_ledger_5_year_opened", window)
    journey.post(window, wait_until, 40)
    journey.post(window, wait_until, 10)
    grabber.grab("mini_ledger_6_posting_refused", window)
    journey.post(window, wait_until, 5)
    grabber.grab("mini_ledger_7_quota_used_up", window)

    dialog = journey.open_purchase(window, wait_until, window.buy_button)
    dialog.resize(*DIALOG_SIZE)
    grabber.grab("mini_ledger_8_buy_now_bound_dialog", dialog)
    journey.choose_and_confirm(dialog, ("period_close",), voucher_packs=1)
    grabber.grab("mini_ledger_9_confirm_dialog", dialog)
    journey.pay(dialog, wait_until, pay)
    grabber.grab("mini_ledger_10_paid_dialog", dialog)
    dialog.accept()
    wait_until(lambda: window.close_button.isEnabled())
    journey.idle(window, wait_until)
    journey.post(window, wait_until, 3)
    window.close_button.click()
    grabber.grab("mini_ledger_11_period_close_open", window)

    window.tabs.setCurrentWidget(window.licence_widget)
    wait_until(lambda: not window.busy)
    grabber.grab("mini_ledger_12_system_auth_tab", window)
    window.close()


def render(out_dir: Path, languages: list[str]) -> list[Shot]:
    def run(out: Path, lang: str, backend: DemoBackend, work: Path) -> list[Shot]:
        grabber = ScreenGrabber(out, lang, backend)
        render_mini_ledger(grabber, work)
        return grabber.shots

    # A demo server per language: the journey archives a ledger and pays an order.
    return render_common.render_languages(out_dir, languages, run, prefix="render-mini-ledger-")


def main(argv: list[str] | None = None) -> int:
    return render_common.main(argv, __doc__, render)


if __name__ == "__main__":
    sys.exit(main())
