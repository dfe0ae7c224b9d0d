"""Render the screens of keeping a licence in order offscreen to PNG, in zh_CN, en, vi and fa: the banner
(maintenance, announcements, the offline lease), 需联网认证, add-on services, enterprise certification, 重新注册 and
deactivating this computer. Shots are named upkeep_*.

    QT_QPA_PLATFORM=offscreen python scripts/render_upkeep_screens.py [--out screenshots] [--langs vi,fa]

Everything runs against the embedded demo server. Offline screens use a panel whose clock is moved forward
and whose server address answers nothing; maintenance is a real window announced in the demo database.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.services.credentials import CredentialStore  # noqa: E402
from app.services.demo_backend import DemoBackend  # noqa: E402
from app.services.fingerprint import FixedFingerprint, hash_component  # noqa: E402
from app.services.licence_service import LicenceService  # noqa: E402
from app.services.paths import AppPaths  # noqa: E402
from app.services.settings import load_settings  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from scripts import render_common  # noqa: E402
from scripts.render_common import Shot, dead_url, wait_until  # noqa: E402

WINDOW_SIZE = (1040, 760)


class _Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _components(name: str) -> dict[str, str]:
    return {n: hash_component(n, f"upkeep-{name}-{n}") for n in ("machine_id", "product_uuid", "mac")}


def _service(renderer: Any, name: str, *, url: str | None = None, clock: _Clock | None = None, parts=None) -> Any:
    paths = AppPaths.from_data_dir(renderer.work / renderer.lang / f"upkeep-{name}")
    settings = load_settings(paths).settings.replace(server_url=url or renderer.backend.url, proxy_mode="none")
    return LicenceService(
        paths,
        settings,
        CredentialStore(backend=renderer.keyring),
        FixedFingerprint(parts or _components(name)),
        renderer.backend.public_keys,
        now=(clock or _Clock()).now,
    )


def _window(service: Any) -> MainWindow:
    window = MainWindow(service)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.start()
    wait_until(lambda: not window.ops)
    return window


def _signed_in(renderer: Any, service: Any, scenario: str, login_index: int = 0) -> Any:
    login = renderer.backend.data["logins"][login_index]
    service.sign_in(login["login"], login["password"], remember=True)
    data = renderer.backend.data["scenarios"][scenario]
    return service.activate(data["serial"], data["cdkey"], data["org_id"])


def render_upkeep(renderer: Any) -> None:
    from app.ui.activation.addons_dialog import AddonsDialog
    from app.ui.activation.certification_dialog import CertificationDialog
    from server.models import Announcement

    ctx = renderer.backend._server.ctx
    data = renderer.backend.data

    # -- the offline lease: 5 days left, the last 3 days, past the lease ---------------------------------------
    clock = _Clock()
    online = _service(renderer, "lease", clock=clock)
    status = _signed_in(renderer, online, "fresh")
    lease_end = status.document.lease_expires_at
    offline = _service(renderer, "lease", url=dead_url(), clock=clock)  # same computer, the link is down
    for name, left in (("lease_1_offline", timedelta(days=5, hours=2)), ("lease_2_strong", timedelta(days=2, hours=2))):
        clock.offset = lease_end - datetime.now(UTC) - left
        window = _window(offline)
        renderer.grab(f"upkeep_{name}", window)
        window.close()
    clock.offset = lease_end - datetime.now(UTC) + timedelta(hours=3)
    window = _window(offline)
    renderer.grab("upkeep_lease_3_expired", window)
    window.close()
    clock.offset = timedelta()  # back to the real time: the next online check heals the watermark

    # -- announcements: a planned window and a notice ---------------------------------------------------------------
    now = ctx.clock.now()
    with ctx.sessions() as s:
        planned = Announcement(
            kind="maintenance",
            title="机房迁移 / Data centre move",
            body="",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=3),
        )
        notice = Announcement(
            kind="notice",
            title="春节客服时间 / Spring Festival support hours",
            body="2月9日至2月17日客服暂停 / no phone support 9–17 Feb",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=3),
        )
        s.add_all([planned, notice])
        s.commit()
        created = [planned.id, notice.id]
    window = _window(online)
    wait_until(lambda: len(window.banner.texts()) == 2)
    renderer.grab("upkeep_banner_1_announcements", window)
    window.close()

    # -- maintenance now: the panel says so and keeps its state ---------------------------------------------------
    with ctx.sessions() as s:
        for ident in created:
            s.delete(s.get(Announcement, ident))
        window_row = Announcement(
            kind="maintenance",
            title="系统升级 / System upgrade",
            body="",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
        )
        s.add(window_row)
        s.commit()
        window_id = window_row.id
    try:
        window = _window(online)
        renderer.grab("upkeep_banner_2_maintenance", window)
        window.close()
    finally:
        with ctx.sessions() as s:
            s.delete(s.get(Announcement, window_id))
            s.commit()

    # -- add-on services ---------------------------------------------------------------------------------------------
    addon_service = _service(renderer, "addon")
    _signed_in(renderer, addon_service, "addon")
    window = _window(addon_service)
    dialog = AddonsDialog(window, addon_service, window.status)
    dialog.resize(640, 420)
    renderer.grab("upkeep_addons_1_empty", dialog)
    if renderer.lang == "zh_CN":  # the add-on CDkey works once: the first language activates it
        dialog.cdkey_edit.setText(data["scenarios"]["addon"]["addon_cdkey"])
        dialog.activate_button.click()
        wait_until(lambda: not dialog.ops)
    else:
        addon_service.reauthenticate()
        dialog.show_addons(window.status.addons)
        window.refresh_local()
        dialog.show_addons(window.status.addons)
    renderer.grab("upkeep_addons_2_listed", dialog)
    dialog.close()
    renderer.grab("upkeep_addons_3_auth_page", window)
    window.close()

    # -- enterprise certification: pending with its countdown, overdue, the dialog --------------------------------
    accountant = next(x for x in data["logins"] if x["role"] == "service_accountant")
    customers = {c["certification"]: c for c in data["scenarios"]["service_accountant"]["customers"]}
    for state, customer in (("pending", customers["pending"]), ("overdue", customers["overdue"])):
        cert_service = _service(renderer, f"cert-{state}")
        cert_service.sign_in(accountant["login"], accountant["password"], remember=True)
        cert_service.activate(customer["serial"], customer["cdkey"], customer["org_id"])
        window = _window(cert_service)
        renderer.grab(f"upkeep_cert_1_{state}", window)
        dialog = CertificationDialog(window, cert_service, window.status)
        dialog.contact_edit.setText("王会计 13800001111")
        dialog.resize(620, 360)
        renderer.grab(f"upkeep_cert_2_dialog_{state}", dialog)
        dialog.close()
        window.close()

    # -- 重新注册 with the yearly limit, and the one-click deactivation ----------------------------------------------
    parts = _components("moved")
    moved = _service(renderer, "moved", parts=parts)
    _signed_in(renderer, moved, "fresh")
    other = _components("moved-new-board")
    moved.fingerprint = FixedFingerprint({**parts, "machine_id": other["machine_id"], "mac": other["mac"]})
    window = _window(moved)
    renderer.grab("upkeep_reregister", window)
    window.close()

    window = _window(online)
    box = window.confirm_deactivate_this_machine()
    renderer.grab("upkeep_deactivate_confirm", box)
    box.close()
    window.close()


def render(out_dir: Path, languages: list[str]) -> list[Shot]:
    from scripts.render_screens import Renderer

    def run(out: Path, lang: str, backend: DemoBackend, work: Path) -> list[Shot]:
        renderer = Renderer(out, lang, backend, work)
        render_upkeep(renderer)
        return renderer.shots

    return render_common.render_languages(out_dir, languages, run, prefix="render-upkeep-")


def main(argv: list[str] | None = None) -> int:
    return render_common.main(argv, __doc__, render)


if __name__ == "__main__":
    sys.exit(main())
