"""Settings: server URL, proxy, CA bundle, language, and a connection test worded for people."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.domain.connection import ConnectionReport
from app.i18n import tr
from app.services.errors import CancelledError
from app.services.licence_service import LicenceService
from app.ui import presenter
from app.ui.runner import Op, run_op
from app.ui.theme import repolish

LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English", "vi": "Tiếng Việt", "fa": "فارسی"}


def connection_report_text(report: ConnectionReport) -> tuple[str, bool]:
    """(text, ok) for a ConnectionReport: the failing layer, so a network problem is not taken for a licence one."""
    outcome = report.outcome
    texts = {
        "ok": tr("Connected. The licence server answers normally."),
        "dns": tr("The server name could not be found (DNS). Check the server address and the network."),
        "connect": tr("The server could not be reached. Check the network, the firewall and the server address."),
        "timeout": tr("The server did not answer in time. The network or the proxy may be slow or blocking."),
        "proxy": tr("The proxy refused or failed the connection. Check the proxy settings."),
        "tls": tr(
            "The secure connection failed: the certificate could not be verified. If your company inspects "
            "traffic, choose its CA bundle."
        ),
        "not_our_api": tr("Something answered, but it is not the licence server (a proxy or captive portal page?)."),
        "maintenance": tr(
            "The licence server is under maintenance. Try again later; your saved licence keeps working."
        ),
        "server_error": tr("The licence server answered with an error. Try again later."),
    }
    text = texts.get(outcome, texts["server_error"])
    minutes = report.clock_off_by_minutes
    if minutes is not None:
        text += " " + tr(
            "This computer's clock differs from the server's by {minutes} minutes; correct it.", minutes=minutes
        )
    return text, report.ok


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget, service: LicenceService) -> None:
        super().__init__(parent)
        self.service = service
        self.op: Op | None = None
        self.chosen_language: str | None = None
        settings = service.settings
        self.setWindowTitle(tr("Settings"))
        self.setMinimumWidth(560)
        self.server_url = QLineEdit(settings.server_url or "")
        self.server_url.setPlaceholderText("https://licence.example.com")
        self.proxy_system = QRadioButton(tr("Use the system proxy"))
        self.proxy_none = QRadioButton(tr("No proxy"))
        self.proxy_manual = QRadioButton(tr("Manual:"))
        self.proxy_group = QButtonGroup(self)
        for button in (self.proxy_system, self.proxy_none, self.proxy_manual):
            self.proxy_group.addButton(button)
        self.proxy_url = QLineEdit(settings.proxy_url or "")
        self.proxy_url.setPlaceholderText("http://proxy.example.com:8080")
        mode = settings.proxy_mode
        {"system": self.proxy_system, "none": self.proxy_none, "manual": self.proxy_manual}.get(
            mode, self.proxy_system
        ).setChecked(True)
        self.proxy_manual.toggled.connect(
            lambda on: self.proxy_url.setEnabled(on and "proxy_url" not in service.locked_settings)
        )
        self.proxy_url.setEnabled(mode == "manual" and "proxy_url" not in service.locked_settings)
        self.ca_bundle = QLineEdit(settings.ca_bundle or "")
        self.ca_bundle.setPlaceholderText(tr("Default (the system's certificates)"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self.on_browse_button_clicked)
        self.browse_button = browse
        self.language = QComboBox()
        self.language.addItem(tr("System default"), None)
        for code in i18n.LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES.get(code, code), code)
        index = self.language.findData(settings.language)
        self.language.setCurrentIndex(max(index, 0))
        self.test_button = QPushButton(tr("Test connection"))
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.on_test_button_clicked)
        self.report = QLabel()
        self.report.setObjectName("hint")
        self.report.setWordWrap(True)

        proxy_box = QVBoxLayout()
        proxy_box.setSpacing(4)
        proxy_box.addWidget(self.proxy_system)
        proxy_box.addWidget(self.proxy_none)
        manual_row = QHBoxLayout()
        manual_row.addWidget(self.proxy_manual)
        manual_row.addWidget(self.proxy_url, 1)
        proxy_box.addLayout(manual_row)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.setSpacing(12)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(tr("Server URL"), self.server_url)
        form.addRow(tr("Proxy"), proxy_box)
        form.addRow(tr("CA bundle"), ca_row)
        form.addRow(tr("Language"), self.language)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 18, 20, 16)
        column.setSpacing(12)
        self.locked_note = QLabel(tr("Settings shown greyed out are set by your administrator."))
        self.locked_note.setObjectName("hint")
        self.locked_note.setWordWrap(True)
        self._lock_enforced(service.locked_settings)
        column.addLayout(form)
        column.addWidget(self.locked_note)
        column.addLayout(test_row)
        column.addWidget(self.report)
        column.addWidget(self.error)
        column.addWidget(buttons)

    def _lock_enforced(self, locked: frozenset[str]) -> None:
        """What the administrator enforces stays visible but cannot be changed here."""
        widgets: dict[str, tuple[QWidget, ...]] = {
            "server_url": (self.server_url,),
            "proxy_mode": (self.proxy_system, self.proxy_none, self.proxy_manual),
            "proxy_url": (self.proxy_url,),
            "ca_bundle": (self.ca_bundle, self.browse_button),
            "language": (self.language,),
        }
        for name in locked:
            for widget in widgets.get(name, ()):
                widget.setEnabled(False)
                widget.setToolTip(tr("Set by your administrator"))
        self.locked_note.setVisible(bool(locked))

    def values(self) -> dict[str, Any]:
        mode = "manual" if self.proxy_manual.isChecked() else "none" if self.proxy_none.isChecked() else "system"
        return {
            "server_url": self.server_url.text().strip(),
            "proxy_mode": mode,
            "proxy_url": self.proxy_url.text().strip() or None,
            "ca_bundle": self.ca_bundle.text().strip() or None,
            "language": self.language.currentData(),
        }

    def _problem(self, values: dict[str, Any]) -> str | None:
        if not values["server_url"].startswith(("http://", "https://")):
            return tr("The server URL must start with https:// (or http:// on a local network).")
        if values["proxy_mode"] == "manual" and not values["proxy_url"]:
            return tr("Enter the proxy address, or choose another proxy option.")
        return None

    def on_browse_button_clicked(self) -> None:
        dialog = QFileDialog(self, tr("Choose a CA bundle"), "", tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.ca_bundle.setText)
        dialog.open()

    def on_test_button_clicked(self) -> None:
        values = self.values()
        problem = self._problem(values)
        if problem:
            self._show_report(problem, False)
            return
        # The typed values are tested with a throw-away client: nothing is saved or changed until Save.
        typed = self.service.settings.replace(**_connection_args(values))
        self._show_report(tr("Testing…"), True)
        self.op = run_op(
            self,
            lambda cancel: self.service.test_connection(typed, cancel=cancel),
            on_success=lambda report: self._show_report(*connection_report_text(report)),
            on_failure=self.on_test_failed,
            progress_text=tr("Testing the connection…"),
            trigger=self.test_button,
        )

    def on_test_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, CancelledError):
            self._show_report(presenter.error_text(exc), False)

    def _show_report(self, text: str, ok: bool) -> None:
        self.report.setText(text)
        self.report.setObjectName("okText" if ok else "errorText")
        repolish(self.report)

    def on_save(self) -> None:
        values = self.values()
        problem = self._problem(values)
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        try:
            self.service.apply_settings(self.service.settings.replace(**values))
        except (OSError, ValueError) as exc:
            self.error.setText(tr("The settings could not be saved: {reason}", reason=type(exc).__name__))
            self.error.show()
            return
        self.chosen_language = values["language"]
        self.accept()

    def reject(self) -> None:
        if self.op is not None and self.op.running:
            self.op.cancel()
        super().reject()


def _connection_args(values: dict[str, Any]) -> dict[str, Any]:
    """The network part of the settings: what a connection test depends on."""
    return {k: values[k] for k in ("server_url", "proxy_mode", "proxy_url", "ca_bundle")}
