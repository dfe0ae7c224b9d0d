"""Sign in with a cloud account; also register and reset a forgotten password (live password rules)."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import rules
from app.domain.accounts import Account, newest_code
from app.i18n import tr
from app.services.errors import CancelledError, ServiceError
from app.services.http import CancelToken
from app.services.licence_service import LicenceService
from app.ui import presenter
from app.ui.runner import Op, run_op
from app.ui.widgets.message import message_label, set_message
from app.ui.widgets.password_field import PasswordField
from app.ui.widgets.rule_list import RuleList

log = logging.getLogger(__name__)


def _demo_code_label(code_edit: QLineEdit) -> QLabel:
    """Demo mode: the code the demo server "sent", since it has no SMS or mail gateway; a click fills it in."""
    label = QLabel()
    label.setObjectName("demoBox")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.linkActivated.connect(code_edit.setText)
    label.hide()
    return label


def demo_code(service: LicenceService, login: str, purpose: str, cancel: CancelToken | None = None) -> str | None:
    """The newest code of this purpose in the demo server's outbox for ``login``; None outside demo mode.

    Runs on the worker after "send code". A failure only means no hint: the code was sent all the same."""
    if not service.demo:
        return None
    try:
        messages = service.demo_outbox(login, cancel=cancel)
    except ServiceError as exc:
        log.info("demo outbox unavailable: %s", type(exc).__name__)
        return None
    return newest_code(messages, purpose)


class SignInDialog(QDialog):
    """Three tabs: sign in, register, forgot password. Accepted once signed in; ``account`` holds who."""

    def __init__(
        self,
        parent: QWidget,
        service: LicenceService,
        *,
        demo_logins: list[tuple[str, str]] | None = None,
        expected_login: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.expected_login = expected_login  # masked by the server: the account a state asks to sign in as
        self.account: Account | None = None
        self.op: Op | None = None
        self.setWindowTitle(tr("Sign in to your cloud account"))
        self.setMinimumWidth(460)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._sign_in_tab(demo_logins or []), tr("Sign in"))
        self.tabs.addTab(self._register_tab(), tr("Register"))
        self.tabs.addTab(self._reset_tab(), tr("Forgot password"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        close.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        close.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.addWidget(self.tabs)
        box.addWidget(close)

    @classmethod
    def ask(
        cls,
        parent: QWidget,
        service: LicenceService,
        on_signed_in: Callable[[Account], None],
        *,
        demo_logins: list[tuple[str, str]] | None = None,
        expected_login: str | None = None,
    ) -> SignInDialog:
        """Open the dialog (no nested event loop); ``on_signed_in(account)`` runs after a successful sign-in.

        ``expected_login`` (masked) is the account to sign in as: said above the form, and filled in when a
        login known here (the last one, a demo one) fits it."""
        dialog = cls(parent, service, demo_logins=demo_logins, expected_login=expected_login)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            if dialog.account is not None:  # accepted only once signed in
                on_signed_in(dialog.account)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    # -- sign in -------------------------------------------------------------------------------------

    def _sign_in_tab(self, demo_logins: list[tuple[str, str]]) -> QWidget:
        page = QWidget()
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText(tr("Mobile number, e-mail or user name"))
        last = self.service.settings.last_login
        if self.expected_login:
            # The last login is the wrong account here; fill in only a known login that fits the mask.
            known = [last or "", *(login for login, _password in demo_logins)]
            last = next((x for x in known if rules.matches_masked_login(x, self.expected_login)), None)
        if last:
            self.login_edit.setText(last)
        self.expected_hint = QLabel(
            tr("Sign in as {account} to continue.", account=self.expected_login) if self.expected_login else ""
        )
        self.expected_hint.setObjectName("nextStep")
        self.expected_hint.setWordWrap(True)
        self.expected_hint.setVisible(bool(self.expected_login))
        self.password_field = PasswordField()  # warns under the field: Caps Lock, Persian keyboard
        self.password_edit = self.password_field.edit
        self.remember_check = QCheckBox(tr("Remember me on this computer"))
        self.remember_check.setChecked(self.service.settings.remember_login)
        self.keyring_hint = QLabel(presenter.keyring_warning(self.service) or "")
        self.keyring_hint.setObjectName("hint")
        self.keyring_hint.setWordWrap(True)
        self.keyring_hint.setVisible(bool(self.keyring_hint.text()))
        if self.keyring_hint.text():
            self.remember_check.setChecked(False)
            self.remember_check.setEnabled(False)
        self.sign_in_message = message_label()
        self.sign_in_button = QPushButton(tr("Sign in"))
        self.sign_in_button.setProperty("primary", True)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.on_sign_in_button_clicked)
        self.password_edit.returnPressed.connect(self.on_sign_in_button_clicked)
        form = QFormLayout()
        form.setSpacing(10)
        form.addRow("", self.expected_hint)
        form.addRow(tr("Account"), self.login_edit)
        form.addRow(tr("Password"), self.password_field)
        form.addRow("", self.remember_check)
        form.addRow("", self.keyring_hint)
        column = QVBoxLayout(page)
        column.setContentsMargins(12, 14, 12, 8)
        column.setSpacing(10)
        column.addLayout(form)
        column.addWidget(self.sign_in_message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.sign_in_button)
        column.addLayout(row)
        self.demo_box: QLabel | None = None
        if demo_logins:
            lines = [tr("Demo mode: try these accounts (click to fill in)")]
            lines += [f"<a href='{i}'>{login}</a> / {password}" for i, (login, password) in enumerate(demo_logins)]
            self.demo_box = QLabel("<br>".join(lines))
            self.demo_box.setObjectName("demoBox")
            self.demo_box.setTextFormat(Qt.TextFormat.RichText)
            self.demo_box.linkActivated.connect(lambda i: self._fill_demo(demo_logins[int(i)]))
            column.addWidget(self.demo_box)
        column.addStretch(1)
        return page

    def _fill_demo(self, login: tuple[str, str]) -> None:
        self.login_edit.setText(login[0])
        self.password_edit.setText(login[1])

    def on_sign_in_button_clicked(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        if not login or not password:
            set_message(self.sign_in_message, tr("Enter your account and password."))
            return
        remember = self.remember_check.isChecked()
        set_message(self.sign_in_message, None)
        self.op = run_op(
            self,
            lambda cancel: self.service.sign_in(login, password, remember, cancel=cancel),
            on_success=self.on_signed_in,
            on_failure=self.on_sign_in_failed,
            progress_text=tr("Signing in…"),
            trigger=self.sign_in_button,
        )

    def on_signed_in(self, account: Account) -> None:
        self.account = account
        self.password_edit.clear()
        self.accept()

    def on_sign_in_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        self.password_edit.clear()
        self.password_edit.setFocus()
        set_message(self.sign_in_message, presenter.error_text(exc))

    # -- register ------------------------------------------------------------------------------------

    def _register_tab(self) -> QWidget:
        page = QWidget()
        self.reg_login = QLineEdit()
        self.reg_login.setPlaceholderText(tr("Mobile number, e-mail or user name"))
        self.reg_code_button = QPushButton(tr("Send code"))
        self.reg_code = QLineEdit()
        self.reg_code.setPlaceholderText(tr("Verification code"))
        self.reg_demo_code = _demo_code_label(self.reg_code)
        self.reg_message = message_label()
        self.reg_code_button.clicked.connect(
            lambda: self._request_code(
                self.reg_login, "register", self.reg_message, self.reg_code_button, self.reg_demo_code
            )
        )
        self.reg_password_field = PasswordField()
        self.reg_password = self.reg_password_field.edit
        self.reg_rules = RuleList()
        self.reg_password.textChanged.connect(lambda text: self.reg_rules.set_rules(presenter.password_rules(text)))
        self.reg_rules.set_rules(presenter.password_rules(""))
        self.reg_button = QPushButton(tr("Register"))
        self.reg_button.setProperty("primary", True)
        self.reg_button.clicked.connect(self.on_reg_button_clicked)
        code_row = QHBoxLayout()
        code_row.addWidget(self.reg_code, 1)
        code_row.addWidget(self.reg_code_button)
        form = QFormLayout()
        form.setSpacing(10)
        form.addRow(tr("Account"), self.reg_login)
        form.addRow(tr("Code"), code_row)
        form.addRow("", self.reg_demo_code)
        form.addRow(tr("Password"), self.reg_password_field)
        form.addRow("", self.reg_rules)
        return self._tab(page, form, self.reg_message, self.reg_button)

    def on_reg_button_clicked(self) -> None:
        login, code, password = self.reg_login.text().strip(), self.reg_code.text().strip(), self.reg_password.text()
        if not self.reg_rules.all_ok or not login or not code:
            set_message(self.reg_message, tr("Fill in the account, the code and a password that meets every rule."))
            return
        self.op = run_op(
            self,
            lambda cancel: self.service.register(login, password, code, cancel=cancel),
            on_success=lambda _r: self._registered(login),
            on_failure=lambda exc: self._failed(self.reg_message, exc),
            progress_text=tr("Registering…"),
            trigger=self.reg_button,
        )

    def _registered(self, login: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.login_edit.setText(login)
        self.password_edit.clear()
        self.password_edit.setFocus()
        set_message(self.sign_in_message, tr("Account created. Sign in with your new password."), ok=True)

    # -- forgot password --------------------------------------------------------------------------

    def _reset_tab(self) -> QWidget:
        page = QWidget()
        self.reset_login = QLineEdit()
        self.reset_login.setPlaceholderText(tr("Mobile number, e-mail or user name"))
        self.reset_code_button = QPushButton(tr("Send code"))
        self.reset_code = QLineEdit()
        self.reset_code.setPlaceholderText(tr("Verification code"))
        self.reset_demo_code = _demo_code_label(self.reset_code)
        self.reset_message = message_label()
        self.reset_code_button.clicked.connect(
            lambda: self._request_code(
                self.reset_login, "password_reset", self.reset_message, self.reset_code_button, self.reset_demo_code
            )
        )
        self.reset_password_field = PasswordField()
        self.reset_password = self.reset_password_field.edit
        self.reset_rules = RuleList()
        self.reset_password.textChanged.connect(lambda text: self.reset_rules.set_rules(presenter.password_rules(text)))
        self.reset_rules.set_rules(presenter.password_rules(""))
        self.reset_button = QPushButton(tr("Set new password"))
        self.reset_button.setProperty("primary", True)
        self.reset_button.clicked.connect(self.on_reset_button_clicked)
        code_row = QHBoxLayout()
        code_row.addWidget(self.reset_code, 1)
        code_row.addWidget(self.reset_code_button)
        form = QFormLayout()
        form.setSpacing(10)
        form.addRow(tr("Account"), self.reset_login)
        form.addRow(tr("Code"), code_row)
        form.addRow("", self.reset_demo_code)
        form.addRow(tr("New password"), self.reset_password_field)
        form.addRow("", self.reset_rules)
        return self._tab(page, form, self.reset_message, self.reset_button)

    def on_reset_button_clicked(self) -> None:
        login, code, password = (
            self.reset_login.text().strip(),
            self.reset_code.text().strip(),
            self.reset_password.text(),
        )
        if not self.reset_rules.all_ok or not login or not code:
            set_message(self.reset_message, tr("Fill in the account, the code and a password that meets every rule."))
            return
        self.op = run_op(
            self,
            lambda cancel: self.service.reset_password(login, code, password, cancel=cancel),
            on_success=lambda _r: self._password_reset(login),
            on_failure=lambda exc: self._failed(self.reset_message, exc),
            progress_text=tr("Setting the new password…"),
            trigger=self.reset_button,
        )

    def _password_reset(self, login: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.login_edit.setText(login)
        self.password_edit.setFocus()
        set_message(self.sign_in_message, tr("Password changed. Sign in with the new password."), ok=True)

    # -- shared ------------------------------------------------------------------------------------

    def _request_code(
        self, login_edit: QLineEdit, purpose: str, message: QLabel, button: QPushButton, demo_label: QLabel
    ) -> None:
        login = login_edit.text().strip()
        if not login:
            set_message(message, tr("Enter your account first."))
            return
        demo_label.hide()

        def send(cancel: CancelToken) -> str | None:
            self.service.request_code(login, purpose, cancel=cancel)
            return demo_code(self.service, login, purpose, cancel)

        self.op = run_op(
            self,
            send,
            on_success=lambda code: self._code_sent(message, demo_label, login, code),
            on_failure=lambda exc: self._failed(message, exc),
            progress_text=tr("Sending the code…"),
            trigger=button,
        )

    def _code_sent(self, message: QLabel, demo_label: QLabel, login: str, code: str | None) -> None:
        set_message(message, tr("A code was sent. It may take a few minutes to arrive."), ok=True)
        if code:
            link = f"<a href='{html.escape(code)}'>{html.escape(code)}</a>"
            shown = tr(
                "Demo: the code sent to {login} is {code} (click to fill it in).",
                login=html.escape(login),
                code=link,
            )
            demo_label.setText(shown)
            demo_label.show()

    def _failed(self, label: QLabel, exc: BaseException) -> None:
        if not isinstance(exc, CancelledError):
            set_message(label, presenter.error_text(exc))

    @staticmethod
    def _tab(page: QWidget, form: QFormLayout, message: QLabel, button: QPushButton) -> QWidget:
        column = QVBoxLayout(page)
        column.setContentsMargins(12, 14, 12, 8)
        column.setSpacing(10)
        column.addLayout(form)
        column.addWidget(message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        column.addLayout(row)
        column.addStretch(1)
        return page

    def reject(self) -> None:
        if self.op is not None and self.op.running:
            self.op.cancel()
        super().reject()
