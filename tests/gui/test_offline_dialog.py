"""The offline dialog: request file + QR code on the offline PC, upload on a connected PC, import, wrong files."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.ui.offline.offline_dialog import OfflineDialog, qr_pixmap_for
from tests.gui.conftest import trusted_keys
from tests.gui.helpers import TIMEOUT, badge_code, open_window, top_dialog
from tests.support.accounts import DEFAULT_PASSWORD, make_account, make_org
from tests.support.licensing import issue_licence
from tests.support.live import LiveServer

pytestmark = pytest.mark.gui
LOGIN = "13400000001"


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def open_dialog(qtbot: Any, service: Any, **kw: Any) -> OfflineDialog:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = OfflineDialog(parent, service, **kw)
    dialog.keep_parent = parent  # type: ignore[attr-defined]  # the parent must outlive this helper
    dialog.show()
    return dialog


def click(qtbot: Any, button: Any) -> None:
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def write_request_file(qtbot: Any, dialog: OfflineDialog, path: Path) -> None:
    dialog.choose_request_path = lambda: str(path)  # type: ignore[method-assign]
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: dialog.request_card.isVisible(), timeout=TIMEOUT)


def upload_on(qtbot: Any, dialog: OfflineDialog, request: Path, response: Path) -> None:
    dialog.tabs.setCurrentIndex(1)
    dialog.choose_upload_paths = lambda: (str(request), str(response))  # type: ignore[method-assign]
    click(qtbot, dialog.upload_button)
    qtbot.waitUntil(lambda: dialog.upload_message.isVisible() and not dialog.ops, timeout=TIMEOUT)


def import_file(qtbot: Any, dialog: OfflineDialog, response: Path) -> None:
    dialog.choose_response_path = lambda: str(response)  # type: ignore[method-assign]
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.message.isVisible() and not dialog.ops, timeout=TIMEOUT)


@pytest.fixture
def key(sqlite_server: LiveServer) -> Any:
    make_org(sqlite_server, make_account(sqlite_server, LOGIN))
    return issue_licence(sqlite_server)


def test_activate_through_the_dialog_on_two_computers(qtbot, panel_app, make_service, sqlite_server, key, tmp_path):
    offline = make_service(dead_url(), trusted=trusted_keys(sqlite_server), name="pc-a")
    connected = make_service(sqlite_server.url, name="pc-b")
    connected.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
    request, response = tmp_path / "usb" / "request.json", tmp_path / "usb" / "response.json"

    a = open_dialog(qtbot, offline)
    assert a.action == "activate" and not a.action_buttons["refresh"].isEnabled()  # nothing to renew yet
    assert not a.write_button.isEnabled()
    qtbot.keyClicks(a.serial_edit, key.serial)
    qtbot.keyClicks(a.cdkey_edit, key.cdkey)
    write_request_file(qtbot, a, request)

    assert a.qr_label.isVisible() and not a.qr_label.pixmap().isNull()
    assert f"{offline.server_url}/offline" in a.instructions.text()
    assert key.cdkey not in request.read_text("utf-8") and a.cdkey_edit.text() == ""

    b = open_dialog(qtbot, connected)
    assert LOGIN in b.upload_account.text()
    upload_on(qtbot, b, request, response)
    assert "Response file written" in b.upload_message.text() and response.is_file()

    with qtbot.waitSignal(a.status_changed, timeout=TIMEOUT) as changed:
        import_file(qtbot, a, response)
    assert a.badge.code_label.text() == "ACTIVE" and changed.args[0].state.code == "ACTIVE"
    assert offline.local_status().state.code == "ACTIVE"


def test_a_response_for_another_computer_is_refused_with_a_reason(
    qtbot, panel_app, make_service, sqlite_server, key, tmp_path
):
    pc_a = make_service(dead_url(), trusted=trusted_keys(sqlite_server), name="pc-a")
    pc_c = make_service(dead_url(), trusted=trusted_keys(sqlite_server), name="pc-c")
    connected = make_service(sqlite_server.url, name="pc-b")
    connected.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
    a, c = open_dialog(qtbot, pc_a, serial=key.serial, cdkey=key.cdkey), open_dialog(qtbot, pc_c)
    write_request_file(qtbot, a, tmp_path / "a.json")
    upload_on(qtbot, open_dialog(qtbot, connected), tmp_path / "a.json", tmp_path / "a-response.json")

    import_file(qtbot, c, tmp_path / "a-response.json")

    assert "made for another computer" in c.message.text() and not c.badge.isVisible()
    assert pc_c.local_status().document is None


def test_several_organisations_are_offered_for_the_upload(qtbot, panel_app, make_service, sqlite_server, tmp_path):
    account = make_account(sqlite_server, LOGIN)
    make_org(sqlite_server, account)
    second = make_org(sqlite_server, account, name="第二家公司", tax_id="91310000MA1K000002")
    key = issue_licence(sqlite_server)
    pc_a = make_service(dead_url(), trusted=trusted_keys(sqlite_server), name="pc-a")
    connected = make_service(sqlite_server.url, name="pc-b")
    connected.sign_in(LOGIN, DEFAULT_PASSWORD, remember=False)
    write_request_file(qtbot, open_dialog(qtbot, pc_a, serial=key.serial, cdkey=key.cdkey), tmp_path / "r.json")
    b = open_dialog(qtbot, connected)

    upload_on(qtbot, b, tmp_path / "r.json", tmp_path / "answer.json")
    assert b.org_row.isVisible() and "several organisations" in b.upload_message.text()
    b.org_combo.setCurrentIndex(b.org_combo.findData(second))
    click(qtbot, b.upload_button)  # the same file again, for the chosen organisation
    qtbot.waitUntil(lambda: "Response file written" in b.upload_message.text(), timeout=TIMEOUT)
    assert not b.org_row.isVisible() and json.loads((tmp_path / "answer.json").read_text("utf-8"))["action"]


def test_not_signed_in_offers_offline_activation_on_the_auth_page(qtbot, panel_app, make_service):
    window = open_window(qtbot, make_service(dead_url(), name="air-gapped"))
    assert badge_code(window) == "NOT_LOGGED_IN"

    click(qtbot, window.auth_page.action_buttons["OFFLINE_ACTIVATION"])

    dialog = top_dialog(OfflineDialog)
    assert dialog is not None and dialog.action == "activate"
    dialog.reject()


def test_the_checklist_offers_offline_activation_when_the_server_is_unreachable(qtbot, panel_app, make_service):
    from app.ui.activation.activation_wizard import ActivationWizard

    service = make_service(dead_url(), name="offline-session")
    service.api.set_refresh_token("remembered-session")  # signed in earlier; the server is gone now
    parent = QWidget()
    qtbot.addWidget(parent)
    wizard = ActivationWizard(parent, service)
    wizard.show()
    assert not wizard.offline_button.isVisible()

    wizard.go(1)  # loading the organisations needs the server
    qtbot.waitUntil(lambda: wizard.offline_button.isVisible() and not wizard.ops, timeout=TIMEOUT)
    click(qtbot, wizard.offline_button)

    dialog = top_dialog(OfflineDialog)
    assert dialog is not None
    dialog.reject()
    wizard.reject()


def test_a_request_too_large_for_a_qr_code_is_file_only() -> None:
    assert qr_pixmap_for({"nonce": "x" * 4000}) is None
    assert qr_pixmap_for({"nonce": "x" * 1500}, max_version=10) is None
