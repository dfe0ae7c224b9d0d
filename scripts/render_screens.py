"""Render every screen and licence state of the panel offscreen to PNG, in zh_CN, en, vi and fa.

    QT_QPA_PLATFORM=offscreen python scripts/render_screens.py [--out screenshots] [--langs vi,fa]

Real flows run against the embedded demo server (sign-in, the six checklist steps, the demo scenarios,
machines, settings); states no demo flow reaches (非法复制品, 系统时间异常…) are rendered from the
catalogue. Besides the PNGs it reports what render_common.layout_problems finds: cut or unreadably elided
texts, and words left in another language.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app import i18n  # noqa: E402
from app.domain.states import CATALOGUE, StateCode, explanation_msgid, sign_in_as  # noqa: E402
from app.services.credentials import CredentialStore  # noqa: E402
from app.services.demo_backend import DemoBackend  # noqa: E402
from app.services.fingerprint import FixedFingerprint, hash_component  # noqa: E402
from app.services.licence_service import LicenceService  # noqa: E402
from app.services.paths import AppPaths  # noqa: E402
from app.services.settings import load_settings  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.status_view import StatusView  # noqa: E402
from scripts import render_common  # noqa: E402
from scripts.render_common import ScreenGrabber, Shot, wait_until  # noqa: E402

WINDOW_SIZE = (1040, 720)


class Renderer(ScreenGrabber):
    """The main flow; the other render scripts run their flows on it too (``service``, ``window``, ``grab``)."""

    def __init__(self, out_dir: Path, lang: str, backend: DemoBackend, work: Path) -> None:
        super().__init__(out_dir, lang, backend)
        self.work = work

    def service(self, name: str) -> LicenceService:
        paths = AppPaths.from_data_dir(self.work / self.lang / name)
        settings = load_settings(paths).settings.replace(server_url=self.backend.url, proxy_mode="none")
        components = {n: hash_component(n, f"{name}-{n}") for n in ("machine_id", "product_uuid", "mac")}
        return LicenceService(
            paths,
            settings,
            CredentialStore(backend=self.keyring),
            FixedFingerprint(components),
            self.backend.public_keys,  # type: ignore[arg-type]
            demo=True,  # the embedded demo server: the sign-in dialog shows the codes it "sends"
        )

    def window(self, name: str) -> MainWindow:
        logins = [(x["login"], x["password"]) for x in self.backend.data["logins"]]
        window = MainWindow(self.service(name), demo_logins=logins)
        window.resize(*WINDOW_SIZE)
        window.show()
        window.start()
        wait_until(lambda: not window.ops)
        return window

    # -- flows ----------------------------------------------------------------------------------

    def sign_in(self, window: MainWindow, grab_prefix: str | None = None) -> None:
        from app.ui.auth.sign_in_dialog import SignInDialog

        window.on_action_requested("SIGN_IN")
        dialog = _top(SignInDialog)
        demo = self.backend.data["logins"][0]
        if grab_prefix:
            self.grab(f"{grab_prefix}_sign_in", dialog)
            dialog.tabs.setCurrentIndex(1)
            dialog.reg_password.setText("abc1")
            self.grab(f"{grab_prefix}_register", dialog)
            # A newcomer asks for a code: the demo shows it (one login per language: codes are throttled).
            dialog.reg_login.setText(f"1381234{i18n.LANGUAGES.index(self.lang):04d}")
            dialog.reg_code_button.click()
            wait_until(dialog.reg_demo_code.isVisible)
            self.grab(f"{grab_prefix}_register_demo_code", dialog)
            dialog.tabs.setCurrentIndex(2)
            dialog.reset_password.setText("Ledger#2025")
            self.grab(f"{grab_prefix}_forgot_password", dialog)
            dialog.tabs.setCurrentIndex(0)
            dialog.login_edit.setText(demo["login"])
            dialog.password_edit.setText("Wrong#pass1")
            dialog.sign_in_button.click()
            wait_until(lambda: dialog.sign_in_message.isVisible())
            self.grab(f"{grab_prefix}_wrong_password", dialog)
        dialog.login_edit.setText(demo["login"])
        dialog.password_edit.setText(demo["password"])
        dialog.sign_in_button.click()
        wait_until(lambda: window.status is not None and window.status.signed_in and not window.ops)

    def activate(self, window: MainWindow, scenario: str, grab_steps: bool = False) -> Any:
        data = self.backend.data["scenarios"][scenario]
        window.on_action_requested("ACTIVATE")
        wizard = window.wizard

        def step(name: str) -> None:
            wait_until(lambda: not wizard.ops)
            if grab_steps:
                self.grab(f"wizard_{name}", wizard)

        step("1_account")
        wizard.next_button.click()
        wait_until(lambda: wizard.organisation_step.orgs.count() > 0 and not wizard.ops)
        ids = [o.id for o in wizard.organisation_step.organisations]
        wizard.organisation_step.orgs.setCurrentRow(ids.index(data["org_id"]) if data["org_id"] in ids else 0)
        step("2_organisation")
        wizard.next_button.click()
        step("3_product")
        wizard.next_button.click()
        wizard.serial_step.serial.setText(data["serial"][:-2])
        wizard.serial_step.check()
        step("4_serial_typing")
        wizard.serial_step.serial.setText(data["serial"])
        wizard.serial_step.cdkey.setText(data["cdkey"])
        wizard.serial_step.check()
        step("4_serial")
        wizard.next_button.click()
        wait_until(lambda: wizard.review_step.preview is not None)
        wizard.review_step.confirm.setChecked(True)
        step("5_review")
        wizard.next_button.click()
        step("6_confirm")
        wizard.confirm_step.activate_button.click()
        wait_until(lambda: not wizard.ops)
        step("6_result")
        return wizard

    def run(self) -> list[Shot]:
        window = self.window("main")
        self.grab("state_NOT_LOGGED_IN", window)
        self.sign_in(window, grab_prefix="dialog")
        self.grab("state_NOT_ACTIVATED", window)
        wizard = self.activate(window, "fresh", grab_steps=True)
        wizard.close()
        wait_until(lambda: not window.ops)
        self.grab("state_ACTIVE", window)
        from app.ui.machines.machines_dialog import MachinesDialog

        window.open_machines()
        machines = _top(MachinesDialog)
        wait_until(lambda: machines.table.rowCount() > 0)
        self.grab("dialog_machines", machines)
        machines.close()
        from app.ui.settings.settings_dialog import SettingsDialog

        window.open_settings()
        settings = _top(SettingsDialog)
        settings.test_button.click()
        wait_until(lambda: settings.op is not None and not settings.op.running)
        self.grab("dialog_settings", settings)
        settings.reject()
        self.render_account_switch(window)
        window.close()

        for scenario in ("seats_full", "ip_bound", "expired", "cloud_over_ledgers"):
            window = self.window(scenario)
            self.sign_in(window)
            wizard = self.activate(window, scenario)
            if scenario == "seats_full":
                self.grab("wizard_6_too_many_machines", wizard)
            wizard.close()
            wait_until(lambda w=window: not w.ops)
            self.grab(f"scenario_{scenario}", window)
            if scenario == "ip_bound":  # 联系客服: the contacts the server publishes for this language's market
                self.grab_support(window, "CONTACT_SUPPORT", "dialog_support")
            window.close()

        from scripts.render_purchase_screens import render_purchase  # 立即购买 and 我的订单

        render_purchase(self)
        self.render_catalogue()
        return self.shots

    def grab_support(self, window: MainWindow, action: str, name: str) -> None:
        from app.ui.support.support_dialog import SupportDialog

        window.on_action_requested(action)
        dialog = _top(SupportDialog)
        wait_until(lambda: dialog.contacts is not None and not dialog.ops)
        self.grab(name, dialog)
        dialog.close()

    def render_account_switch(self, window: MainWindow) -> None:
        """激活账号异常 after signing in as another account on an activated computer, and "sign in as" its owner."""
        from app.ui.auth.sign_in_dialog import SignInDialog

        other = next(x for x in self.backend.data["logins"] if x["login"] != self.backend.data["logins"][0]["login"])
        window.on_action_requested("SWITCH_ACCOUNT")
        dialog = _top(SignInDialog)
        dialog.login_edit.setText(other["login"])
        dialog.password_edit.setText(other["password"])
        dialog.sign_in_button.click()
        wait_until(lambda: window.status is not None and window.status.code == StateCode.ACCOUNT_MISMATCH)
        wait_until(lambda: not window.ops)
        self.grab("scenario_account_mismatch", window)
        window.on_action_requested("SWITCH_ACCOUNT")
        self.grab("dialog_sign_in_as_owner", _top(SignInDialog))
        _top(SignInDialog).reject()

    def render_catalogue(self) -> None:
        """Every state of the catalogue on the 系统认证 page, with plausible licence details."""
        from app.i18n import state_label, tr

        window = MainWindow(self.service("catalogue"))
        window.resize(*WINDOW_SIZE)
        now = datetime.now(UTC)
        details = {
            "expires_on": (now + timedelta(days=20)).strftime("%Y-%m-%d"),
            "days_left": 20,
            "lease_end": (now + timedelta(days=5)).strftime("%Y-%m-%d %H:%M"),
            "lease_days_left": 5,
            "seats_max": 3,
            "licence_account": "139****0002",
            "ip_account": "139****0002",
            "watermark": now.strftime("%Y-%m-%d %H:%M"),
            "ledgers_in_use": 5,
            "ledgers_purchased": 4,
            "certification_deadline": (now + timedelta(days=60)).strftime("%Y-%m-%d"),
            "certification_days_left": 60,
        }
        for code, info in CATALOGUE.items():
            has_licence = code not in (StateCode.NOT_LOGGED_IN, StateCode.NOT_ACTIVATED)
            view = StatusView(
                code=code,
                label=state_label(info),
                label_zh=info.label_zh,
                explanation=tr(explanation_msgid(info, details), **details),
                next_step=tr(info.next_step, **details),
                actions=tuple(a.value for a in info.actions),
                sign_in_as=sign_in_as(info, details),
                signed_in=code != StateCode.NOT_LOGGED_IN,
                signed_in_login="13800000001" if code != StateCode.NOT_LOGGED_IN else None,
                has_licence=has_licence,
                licence_id=1 if has_licence else None,
                account=("138****0001" if code != StateCode.ACCOUNT_MISMATCH else "139****0002")
                if has_licence
                else None,
                organisation="上海示例商贸有限公司  (91310000MA1F5K90P6)" if has_licence else None,
                product="e会计 云盘版 5.0" if has_licence else None,  # the name says the edition already
                serial_masked="KJH-****-****-7F3A" if has_licence else None,
                feature_code="Q4TRM-8XK2P-JH3WD-ZC7NA",
                expires_at=now + timedelta(days=20) if has_licence else None,
                seats=(3, 3) if has_licence else None,
                last_online_check=now - timedelta(hours=3) if has_licence else None,
                lease_expires_at=now + timedelta(days=5, hours=4) if has_licence else None,
                certification_status="pending" if has_licence else None,
                certification_deadline=now + timedelta(days=60) if has_licence else None,
                network="offline" if code in (StateCode.OFFLINE_GRACE, StateCode.LEASE_EXPIRED) else "online",
            )
            window.show_status(view)
            window._show_network(view.network)
            self.grab(f"catalogue_{code.value}", window)
            if code is StateCode.PANEL_UPDATE_REQUIRED:
                self.grab_support(window, "UPDATE_PANEL", "dialog_update_panel")
        window.close()


def _top(kind: type) -> Any:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    if not found:
        raise RuntimeError(f"no {kind.__name__} is open")
    return found[-1]


def render(out_dir: Path, languages: list[str], work: Path | None = None) -> list[Shot]:
    def run(out: Path, lang: str, backend: DemoBackend, root: Path) -> list[Shot]:
        return Renderer(out, lang, backend, root).run()

    return render_common.render_languages(out_dir, languages, run, prefix="render-screens-", work=work)


def main(argv: list[str] | None = None) -> int:
    return render_common.main(argv, __doc__, render)


if __name__ == "__main__":
    sys.exit(main())
