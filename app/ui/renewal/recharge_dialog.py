"""产品充值: redeem a recharge code (充值码) to extend the licence, then check it online so the new expiry shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain import purchase
from app.domain.server_errors import format_local_time
from app.i18n import tr
from app.services.errors import ApiError, CancelledError
from app.ui import presenter
from app.ui.runner import Op, keep_while_running, run_op
from app.ui.widgets.message import message_label, set_message


class RechargeDialog(QDialog):
    """``redeemed`` carries the re-authenticated status (the main window shows it)."""

    redeemed = Signal(object)

    def __init__(self, parent: QWidget, service: Any, code: str = "") -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.answer: dict[str, Any] | None = None  # the server's answer to the last redeem
        self.setWindowTitle(tr("Recharge"))
        intro = QLabel(
            tr("Enter a recharge code (充值码) to extend this computer's licence. A code works once, for one licence.")
        )
        intro.setWordWrap(True)
        self.code_edit = QLineEdit(code)
        self.code_edit.setPlaceholderText("RC-XXXX-XXXX-XXXX-XXXX")
        self.code_edit.textChanged.connect(self.on_code_edit_text_changed)
        self.redeem_button = QPushButton(tr("Redeem"))
        self.redeem_button.setProperty("primary", True)
        self.redeem_button.clicked.connect(self.on_redeem_button_clicked)
        row = QHBoxLayout()
        row.addWidget(self.code_edit, 1)
        row.addWidget(self.redeem_button)
        self.message = message_label()
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(row)
        box.addWidget(self.message)
        box.addStretch(1)
        box.addLayout(buttons)
        self.setMinimumWidth(520)
        self.on_code_edit_text_changed(code)

    @classmethod
    def ask(
        cls, parent: QWidget, service: Any, on_redeemed: Callable[[Any], None] | None = None, code: str = ""
    ) -> RechargeDialog:
        dialog = cls(parent, service, code)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_redeemed is not None:
            dialog.redeemed.connect(on_redeemed)
        dialog.open()
        return dialog

    def on_code_edit_text_changed(self, text: str) -> None:
        self.redeem_button.setEnabled(len("".join(ch for ch in text if ch.isalnum())) >= 18)

    def on_redeem_button_clicked(self) -> None:
        code = self.code_edit.text().strip()

        def work(cancel: Any) -> dict[str, Any]:
            answer = self.service.redeem_recharge_code(code, cancel=cancel)
            # The months are on the server now; a fresh signed document brings the new expiry here.
            return {"answer": answer, "status": self.service.after_payment(cancel=cancel)}

        op = run_op(
            self,
            work,
            on_success=self.on_redeemed,
            on_failure=self.on_failed,
            progress_text=tr("Redeeming the recharge code…"),
            trigger=self.redeem_button,
        )
        keep_while_running(self.ops, op)

    def on_redeemed(self, result: dict[str, Any]) -> None:
        answer: dict[str, Any] = result["answer"]
        self.answer = answer
        expires = purchase.parse_time(answer.get("expires_at"))
        set_message(
            self.message,
            tr(
                "Added {months} months. The licence now runs until {when}.",
                months=answer.get("months"),
                when=format_local_time(expires) if expires else "—",
            ),
            ok=True,
        )
        self.code_edit.clear()
        self.redeemed.emit(result["status"])

    def on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            return
        if isinstance(exc, ApiError) and exc.code == "CODE_INVALID":
            # The server shares CODE_INVALID with verification codes; here it is about a recharge code.
            exc = ApiError("RECHARGE_CODE_INVALID", exc.message, exc.details, exc.status)
        set_message(self.message, presenter.error_text(exc), ok=False)
