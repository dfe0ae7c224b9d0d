"""联系客服: the vendor's customer service for the panel's market, read from the server; and the clock's settings."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.domain.support import OpeningHours, SupportContacts, date_time_settings_uri, market_for_language
from app.i18n import tr
from app.services.errors import CancelledError
from app.services.licence_service import LicenceService
from app.ui import presenter
from app.ui.runner import Op, run_kept
from app.ui.status_view import StatusView
from app.ui.widgets.message import message_label, set_message

MIN_WIDTH = 480
MARGIN = 20


def days_text(days: str) -> str:
    words = {
        "mon-fri": tr("Monday to Friday"),
        "mon-sat": tr("Monday to Saturday"),
        "sat-wed": tr("Saturday to Wednesday"),
        "every-day": tr("Every day"),
    }
    return words.get(days, days)


def hours_text(hours: OpeningHours) -> str:
    """``Monday to Friday, 09:00–18:00 (Asia/Shanghai)``: the zone is named, the caller may be elsewhere."""
    return tr(
        "{days}, {opens}–{closes} ({timezone})",
        days=days_text(hours.days),
        opens=hours.opens,
        closes=hours.closes,
        timezone=hours.timezone,
    )


def contact_rows(contacts: SupportContacts) -> list[tuple[str, str]]:
    """(name, value) of every contact the server gave, in the order people reach for them."""
    rows = [
        (tr("Support team"), contacts.team),
        (tr("Phone"), contacts.phone),
        (tr("QQ group"), contacts.qq_group or ""),
        (tr("Chat"), contacts.chat or ""),
        (tr("E-mail"), contacts.email),
        (tr("Opening hours"), hours_text(contacts.hours)),
        (tr("Help centre"), contacts.help_url or ""),
    ]
    return [(name, value) for name, value in rows if value]


def clock_help_text(platform: str) -> str:
    """How to set the date and time where the panel cannot open the settings itself."""
    if platform == "darwin":
        return tr(
            "Open System Settings → General → Date & Time, turn on “Set time and date automatically”, then click "
            "Check online."
        )
    if platform == "win32":
        return tr(
            "Open Settings → Time & language → Date & time, turn on “Set time automatically”, then click Check online."
        )
    return tr(
        "Open your desktop's settings → Date & Time and turn on automatic date and time (or run “timedatectl "
        "set-ntp true” in a terminal), then click Check online."
    )


def open_date_time_settings(parent: QWidget, platform: str = sys.platform) -> QMessageBox | None:
    """检查日期和时间: Windows opens its date and time settings; elsewhere (or if that fails) a message explains how."""
    uri = date_time_settings_uri(platform)
    if uri is not None and QDesktopServices.openUrl(QUrl(uri)):
        return None
    box = QMessageBox(QMessageBox.Icon.Information, tr("Check date and time"), clock_help_text(platform), parent=parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class SupportDialog(QDialog):
    """The contacts of the market of the panel's language; ``update=True`` leads with the panel's download page."""

    def __init__(
        self, parent: QWidget, service: LicenceService, view: StatusView | None = None, *, update: bool = False
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.update_mode = update
        self.ops: list[Op] = []
        self.contacts: SupportContacts | None = None
        self.setWindowTitle(tr("Update the panel") if update else tr("Contact support"))
        self.setMinimumWidth(MIN_WIDTH)
        if update:
            intro_text = tr(
                "Install the latest version of the panel from the vendor's download page. Your licence and "
                "settings are kept."
            )
        else:
            intro_text = tr("The vendor's customer service. Have your feature code ready: support asks for it.")
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        # What support needs to know, in the words of the page the person came from.
        self.context = QLabel()
        self.context.setObjectName("hint")
        self.context.setWordWrap(True)
        self.context.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if view is not None:
            lines = [tr("State: {label} ({label_zh})", label=view.label, label_zh=view.label_zh)]
            if view.feature_code:
                lines.append(tr("Feature code: {code}", code=view.feature_code))
            self.context.setText("\n".join(lines))
        self.context.setVisible(bool(self.context.text()))
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        self.message = message_label()
        self.download_button = QPushButton(tr("Open the download page"))
        self.download_button.setProperty("primary", True)
        self.download_button.clicked.connect(self.on_download_button_clicked)
        self.download_button.setVisible(False)
        self.retry_button = QPushButton(tr("Try again"))
        self.retry_button.clicked.connect(self.load)
        self.retry_button.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close"))
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.download_button, QDialogButtonBox.ButtonRole.ActionRole)
        box = QVBoxLayout(self)
        box.setContentsMargins(MARGIN, 18, MARGIN, 16)
        box.setSpacing(12)
        box.addWidget(intro)
        box.addWidget(self.context)
        box.addLayout(self.grid)
        box.addWidget(self.message)
        box.addStretch(1)
        box.addWidget(buttons)

    @classmethod
    def ask(
        cls, parent: QWidget, service: LicenceService, view: StatusView | None = None, *, update: bool = False
    ) -> SupportDialog:
        dialog = cls(parent, service, view, update=update)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.load()
        return dialog

    def load(self) -> Op:
        market = market_for_language(i18n.current_language())
        self.retry_button.setVisible(False)
        return run_kept(
            self,
            self.ops,
            lambda cancel: self.service.support_contacts(market, cancel=cancel),
            on_success=self.show_contacts,
            on_failure=self.on_load_failed,
            progress_text=tr("Reading the support contacts…"),
        )

    def show_contacts(self, contacts: SupportContacts) -> None:
        self.contacts = contacts
        set_message(self.message, None)
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.values = {}
        widest = [0, 0]  # name column, value column
        for row, (name, value) in enumerate(contact_rows(contacts)):
            name_label = QLabel(name)
            name_label.setObjectName("fieldName")
            value_label = QLabel(value)
            value_label.setObjectName("fieldValue")
            # Phone numbers, e-mail addresses and links are never broken over lines.
            value_label.setWordWrap(False)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(value_label, row, 1)
            for column, label in enumerate((name_label, value_label)):  # measured in the theme's font
                label.ensurePolished()
                label.setMinimumSize(label.sizeHint())  # whole lines, never squeezed
                widest[column] = max(widest[column], label.minimumWidth())
            self.values[name] = value_label
        self.download_button.setVisible(self.update_mode and bool(contacts.download_url))
        # The rows arrived after the dialog was shown: widen and grow to hold them rather than squeeze them.
        margins = self.contentsMargins().left() + self.contentsMargins().right() + 2 * MARGIN + 8
        self.setMinimumWidth(max(MIN_WIDTH, widest[0] + self.grid.horizontalSpacing() + widest[1] + margins))
        self.adjustSize()

    def on_load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        set_message(
            self.message,
            tr("The support contacts could not be read: {reason}", reason=presenter.error_text(exc)),
        )
        self.retry_button.setVisible(True)

    def on_download_button_clicked(self) -> None:
        if self.contacts is not None and self.contacts.download_url:
            QDesktopServices.openUrl(QUrl(self.contacts.download_url))
