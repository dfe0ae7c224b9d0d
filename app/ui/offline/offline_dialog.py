"""Offline activation, lease refresh and deactivation by file (docs/OFFLINE.md), and the upload for another PC.

Step 1 writes the request file (also shown as a QR code when it fits), step 2 imports the response file. The
second tab is for the connected computer: it uploads someone's request file with the signed-in account and
saves the response file. File work runs through ``run_op`` like every service call.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from licence_protocol.errors import ErrorCode
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.accounts import Account, organisations_to_choose
from app.i18n import tr, tr_error
from app.services.errors import ApiError, CancelledError
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.services.offline_files import (
    ImportResult,
    OfflineFileError,
    import_response,
    upload_request,
    write_request,
)
from app.ui import presenter
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.runner import CancelToken, Op, run_kept
from app.ui.widgets.message import set_message
from app.ui.widgets.state_badge import StateBadge

T = TypeVar("T")

# Beyond this QR version a phone camera struggles with a screen; the file alone is offered then.
MAX_QR_VERSION = 30
QR_SCALE = 3


def qr_pixmap_for(request: dict[str, Any], *, max_version: int = MAX_QR_VERSION) -> QPixmap | None:
    """The request as a QR code (compact JSON), or None when it does not fit a readable code."""
    import segno
    from segno import DataOverflowError

    text = json.dumps(request, ensure_ascii=False, separators=(",", ":"))
    try:
        code = segno.make(text, error="l", micro=False, boost_error=False)
    except DataOverflowError:
        return None
    if not isinstance(code.version, int) or code.version > max_version:  # an int for full-size codes
        return None
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=QR_SCALE, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


def _json_filter() -> str:
    return tr("JSON files (*.json);;All files (*)")


def _tab_page() -> tuple[QWidget, QVBoxLayout]:
    """A tab's page and the column its content goes into, with the dialog's margins."""
    page = QWidget()
    column = QVBoxLayout(page)
    column.setContentsMargins(16, 14, 16, 12)
    column.setSpacing(10)
    return page, column


def _label(text: str = "", name: str = "explanation") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def error_text(exc: BaseException) -> str:
    if isinstance(exc, OfflineFileError):
        return tr_error(exc.code)
    return presenter.error_text(exc)


class OfflineDialog(QDialog):
    """离线激活: request file → (another computer) → response file; result shown with the state badge."""

    status_changed = Signal(LocalStatus)  # whenever this computer's licence changed

    def __init__(
        self,
        parent: QWidget,
        service: LicenceService,
        *,
        serial: str = "",
        cdkey: str = "",
        demo_logins: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.demo_logins = demo_logins or []
        self.ops: list[Op] = []
        self.request: dict[str, Any] | None = None
        self._upload_paths: tuple[str, str] | None = None
        self.setWindowTitle(tr("Offline activation"))
        self.setMinimumSize(760, 640)
        has_licence = service.local_status().document is not None
        self.tabs = QTabWidget()
        # Scrollable: with the QR code shown, the first tab can be taller than a small screen.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }")
        scroll.setWidget(self._offline_tab(has_licence, serial, cdkey))
        self.tabs.addTab(scroll, tr("This computer has no internet"))
        self.tabs.addTab(self._upload_tab(), tr("Upload for another computer"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close"))
        close.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.addWidget(self.tabs)
        box.addWidget(close)
        self.on_action_changed()

    @classmethod
    def open_for(
        cls,
        parent: QWidget,
        service: LicenceService,
        on_status: Callable[[LocalStatus], None] | None = None,
        **kw: Any,
    ) -> OfflineDialog:
        """Open without a nested event loop; ``on_status(LocalStatus)`` runs whenever the licence changed."""
        dialog = cls(parent, service, **kw)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_status is not None:
            dialog.status_changed.connect(on_status)
        dialog.open()
        return dialog

    # -- tab 1: this computer ---------------------------------------------------------------------------

    def _offline_tab(self, has_licence: bool, serial: str, cdkey: str) -> QWidget:
        page, column = _tab_page()
        column.addWidget(
            _label(
                tr(
                    "For a computer that cannot reach the licence server. Two small files are carried to and from "
                    "any computer with internet (USB stick, or the QR code below)."
                )
            )
        )
        column.addWidget(_label(tr("1. Make a request file"), "sectionTitle"))
        self.action_group = QButtonGroup(self)
        self.action_buttons: dict[str, QRadioButton] = {}
        row = QHBoxLayout()
        for action, text in (
            ("activate", tr("Activate this computer")),
            ("refresh", tr("Renew the offline lease")),
            ("deactivate", tr("Deactivate this computer")),
        ):
            button = QRadioButton(text)
            button.setObjectName(f"action_{action}")
            self.action_group.addButton(button)
            self.action_buttons[action] = button
            row.addWidget(button)
        row.addStretch(1)
        self._set_has_licence(has_licence)
        self.action_group.buttonToggled.connect(lambda _b, _c: self.on_action_changed())
        column.addLayout(row)

        self.key_form = QWidget()
        form = QFormLayout(self.key_form)
        form.setContentsMargins(0, 0, 0, 0)
        self.serial_edit = QLineEdit(serial)
        self.serial_edit.setPlaceholderText("KJH-XXXX-XXXX-XXXX")
        self.cdkey_edit = QLineEdit(cdkey)
        self.cdkey_edit.setPlaceholderText(tr("CDkey"))
        for edit in (self.serial_edit, self.cdkey_edit):
            edit.textChanged.connect(lambda _t: self.on_action_changed())
        form.addRow(tr("Serial number"), self.serial_edit)
        form.addRow(tr("CDkey"), self.cdkey_edit)
        form.addRow("", _label(tr("The CDkey itself is not written into the file, only a proof of it."), "hint"))
        column.addWidget(self.key_form)
        self.deactivate_confirm = QCheckBox(
            tr("I understand: this computer stops being activated as soon as the file is written.")
        )
        self.deactivate_confirm.toggled.connect(lambda _c: self.on_action_changed())
        column.addWidget(self.deactivate_confirm)
        self.write_button = QPushButton(tr("Save request file…"))
        self.write_button.setObjectName("writeRequest")
        self.write_button.setProperty("primary", True)
        self.write_button.clicked.connect(self.on_write_button_clicked)
        column.addWidget(self.write_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.request_card = QFrame()
        self.request_card.setObjectName("card")
        card = QHBoxLayout(self.request_card)
        card.setContentsMargins(14, 12, 14, 12)
        card.setSpacing(14)
        self.qr_label = QLabel()
        self.qr_label.setObjectName("requestQr")
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        card.addWidget(self.qr_label)
        text_column = QVBoxLayout()
        self.request_path_label = _label("", "fieldValue")
        self.request_path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.instructions = _label("", "nextStep")
        self.qr_note = _label("", "muted")
        text_column.addWidget(self.request_path_label)
        text_column.addWidget(self.instructions)
        text_column.addWidget(self.qr_note)
        text_column.addStretch(1)
        card.addLayout(text_column, 1)
        self.request_card.hide()
        column.addWidget(self.request_card)

        column.addWidget(_label(tr("2. Import the response file"), "sectionTitle"))
        self.import_button = QPushButton(tr("Import response file…"))
        self.import_button.setObjectName("importResponse")
        self.import_button.clicked.connect(self.on_import_button_clicked)
        column.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.badge = StateBadge()
        self.badge.hide()
        column.addWidget(self.badge)
        self.message = _label("", "errorText")
        self.message.hide()
        column.addWidget(self.message)
        column.addStretch(1)
        return page

    def _set_has_licence(self, has_licence: bool) -> None:
        """Renewing or deactivating needs this computer's licence document; activating does not."""
        for action in ("refresh", "deactivate"):
            self.action_buttons[action].setEnabled(has_licence)
        if not self.action_buttons[self.action].isEnabled() or not any(
            b.isChecked() for b in self.action_buttons.values()
        ):
            self.action_buttons["refresh" if has_licence else "activate"].setChecked(True)

    @property
    def action(self) -> str:
        return next((a for a, b in self.action_buttons.items() if b.isChecked()), "activate")

    def on_action_changed(self) -> None:
        action = self.action
        self.key_form.setVisible(action == "activate")
        self.deactivate_confirm.setVisible(action == "deactivate")
        ready = {
            "activate": bool(self.serial_edit.text().strip() and self.cdkey_edit.text().strip()),
            "refresh": True,
            "deactivate": self.deactivate_confirm.isChecked(),
        }[action]
        self.write_button.setEnabled(ready and not self.ops)

    def choose_request_path(self) -> str | None:
        """Where to save the request file (tests replace this method)."""
        suggested = str(Path.home() / f"offline-request-{self.action}.json")
        path, _ = QFileDialog.getSaveFileName(self, tr("Save request file"), suggested, _json_filter())
        return path or None

    def choose_response_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Import response file"), str(Path.home()), _json_filter())
        return path or None

    def on_write_button_clicked(self) -> None:
        path = self.choose_request_path()
        if not path:
            return
        action, serial, cdkey = self.action, self.serial_edit.text(), self.cdkey_edit.text()

        def write(_cancel: CancelToken) -> tuple[dict[str, Any], LocalStatus]:
            request = write_request(self.service, action, path, serial=serial, cdkey=cdkey)
            return request, self.service.local_status()

        self._run(write, lambda result: self.on_request_written(path, action, *result), tr("Writing the request file…"))

    def on_request_written(self, path: str, action: str, request: dict[str, Any], status: LocalStatus) -> None:
        self.request = request
        self.cdkey_edit.clear()  # not needed any more; do not leave it on screen
        pixmap = qr_pixmap_for(request)
        self.qr_label.setVisible(pixmap is not None)
        if pixmap is not None:
            self.qr_label.setPixmap(pixmap)
            self.qr_label.setFixedSize(pixmap.size())  # never scaled or cropped: a phone must read every module
        self.request_path_label.setText(tr("Request file saved: {path}", path=path))
        self.instructions.setText(
            tr(
                "Take this file to any computer with internet. There, open {url}/offline in a browser, or use this "
                'panel\'s tab "Upload for another computer". Bring the response file back and import it below.',
                url=self.service.server_url.rstrip("/"),
            )
        )
        self.qr_note.setText(
            tr("Or scan the QR code with a phone and paste its text into that page.")
            if pixmap is not None
            else tr("This request is too large for a QR code: carry the file.")
        )
        self.request_card.show()
        set_message(self.message, None)
        if action == "deactivate":
            text = tr("This computer is no longer activated. The seat is freed once the file is uploaded.")
            set_message(self.message, text, ok=True)
            self._set_has_licence(False)
            self.status_changed.emit(status)

    def on_import_button_clicked(self) -> None:
        path = self.choose_response_path()
        if not path:
            return
        self.badge.hide()  # what shows next is about this file
        self._run(
            lambda _cancel: import_response(self.service, path), self.on_imported, tr("Importing the response file…")
        )

    def on_imported(self, result: ImportResult) -> None:
        view = presenter.status_view(result.status, self.service)
        self.badge.set_state(code=view.code, label=view.label, label_zh=view.label_zh, severity=view.severity)
        self.badge.show()
        self.request_card.hide()
        if result.action == "deactivate":
            text = tr("The server released this computer's seat. This computer is no longer activated.")
        else:
            text = view.explanation
        set_message(self.message, text, ok=view.severity == "ok" or result.action == "deactivate")
        self._set_has_licence(view.has_licence)
        self.status_changed.emit(result.status)

    # -- tab 2: the connected computer ---------------------------------------------------------------------

    def _upload_tab(self) -> QWidget:
        page, column = _tab_page()
        column.addWidget(
            _label(
                tr(
                    "On this computer with internet: choose the request file brought from the offline computer. "
                    "It is sent with the account signed in here, which receives the licence, and the response "
                    "file is saved next to it."
                )
            )
        )
        self.upload_account = _label("", "fieldValue")
        column.addWidget(self.upload_account)
        self.org_row = QWidget()
        org_form = QFormLayout(self.org_row)
        org_form.setContentsMargins(0, 0, 0, 0)
        self.org_combo = QComboBox()
        org_form.addRow(tr("Organisation"), self.org_combo)
        self.org_row.hide()
        column.addWidget(self.org_row)
        self.upload_button = QPushButton(tr("Upload a request file…"))
        self.upload_button.setObjectName("uploadRequest")
        self.upload_button.setProperty("primary", True)
        self.upload_button.clicked.connect(self.on_upload_button_clicked)
        column.addWidget(self.upload_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.upload_message = _label("", "errorText")
        self.upload_message.hide()
        column.addWidget(self.upload_message)
        column.addStretch(1)
        self._show_upload_account()
        return page

    def _show_upload_account(self) -> None:
        login = presenter.current_login(self.service) if self.service.signed_in else None
        self.upload_account.setText(
            tr("Signed in as {login}", login=login) if login else tr("Sign in first: the upload needs an account.")
        )

    def choose_upload_paths(self) -> tuple[str, str] | None:
        """The request file to send and where to save the response (tests replace this method)."""
        request, _ = QFileDialog.getOpenFileName(self, tr("Choose the request file"), str(Path.home()), _json_filter())
        if not request:
            return None
        suggested = str(Path(request).with_name(Path(request).stem.replace("request", "response") + ".json"))
        if suggested == request:
            suggested = str(Path(request).with_name("offline-response.json"))
        response, _ = QFileDialog.getSaveFileName(self, tr("Save response file"), suggested, _json_filter())
        return (request, response) if response else None

    def on_upload_button_clicked(self) -> None:
        if not self.service.signed_in:
            SignInDialog.ask(self, self.service, self.on_signed_in, demo_logins=self.demo_logins)
            return
        paths = self._upload_paths if self.org_row.isVisible() and self._upload_paths else self.choose_upload_paths()
        if not paths:
            return
        self._upload_paths = paths
        org_id = self.org_combo.currentData() if self.org_row.isVisible() else None
        request, response = paths
        self._run(
            lambda cancel: upload_request(self.service, request, response, org_id, cancel=cancel),
            lambda answer: self.on_uploaded(response, answer),
            tr("Uploading the request file…"),
            on_failure=self.on_upload_failed,
            message=self.upload_message,
        )

    def on_signed_in(self, _account: Account) -> None:
        self._show_upload_account()
        self.on_upload_button_clicked()

    def on_uploaded(self, path: str, answer: dict[str, Any]) -> None:
        self.org_row.hide()
        self._upload_paths = None
        done = (
            tr("The seat of that computer is free again.")
            if answer.get("action") == "deactivate"
            else tr("Take it back to the offline computer and import it there.")
        )
        set_message(self.upload_message, tr("Response file written: {path}", path=path) + " " + done, ok=True)

    def on_upload_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ApiError) and exc.code is ErrorCode.ORG_REQUIRED:
            self.org_combo.clear()
            for org in organisations_to_choose(exc.details):
                self.org_combo.addItem(org.name, org.id)
            self.org_row.setVisible(self.org_combo.count() > 0)
            if self.org_combo.count():
                text = tr(
                    "This account has several organisations. Choose the one that receives the licence, then upload "
                    "again."
                )
                set_message(self.upload_message, text)
                return
        self._upload_paths = None
        if not isinstance(exc, CancelledError):
            set_message(self.upload_message, error_text(exc))

    # -- plumbing -----------------------------------------------------------------------------------------

    def _run(
        self,
        fn: Callable[[CancelToken], T],
        on_success: Callable[[T], None],
        text: str,
        *,
        on_failure: Callable[[BaseException], None] | None = None,
        message: QLabel | None = None,
    ) -> Op:
        label = message or self.message
        set_message(label, None)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, CancelledError):
                set_message(label, error_text(exc))

        sender = self.sender()
        trigger = sender if isinstance(sender, QPushButton) else None
        return run_kept(
            self,
            self.ops,
            fn,
            on_success=on_success,
            on_failure=on_failure or failed,
            after=self.on_action_changed,
            progress_text=text,
            trigger=trigger,
        )

    def reject(self) -> None:
        for op in list(self.ops):
            op.cancel()
        super().reject()


def open_offline_dialog(window: Any, *, serial: str = "", cdkey: str = "") -> OfflineDialog:
    """Action.OFFLINE_ACTIVATION of the main window (or the checklist): a changed licence re-renders 系统认证."""
    service = window.service
    main = window  # the checklist is a child of the main window: 系统认证 there shows the new state
    while main is not None and not hasattr(main, "show_status"):
        main = main.parentWidget()

    def show(status: LocalStatus) -> None:
        if main is not None:
            main.show_status(presenter.status_view(status, service))

    return OfflineDialog.open_for(
        window, service, show, serial=serial, cdkey=cdkey, demo_logins=getattr(window, "demo_logins", None)
    )
