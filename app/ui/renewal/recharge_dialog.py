"""产品充值: redeem a recharge code (充值码) to extend the licence, then check it online so the new expiry shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from licence_protocol.errors import ErrorCode
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from app.domain.error_codes import ClientErrorCode
from app.domain.orders import RedeemResult
from app.i18n import tr
from app.services.http import CancelToken
from app.services.local_status import LocalStatus
from app.ui.runner import Op, run_kept
from app.ui.widgets.button_row import closing_row
from app.ui.widgets.code_entry import CodeEntry

RECHARGE_CODE_CHARS = 18  # letters and digits of RC-XXXX-XXXX-XXXX-XXXX; the server checks the rest


class RechargeService(Protocol):
    """What 产品充值 asks of the service."""

    def redeem_recharge_code(
        self, code: str, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> RedeemResult: ...

    def after_payment(self, *, cancel: CancelToken | None = None) -> LocalStatus: ...


@dataclass(frozen=True)
class Redeemed:
    answer: RedeemResult
    status: LocalStatus  # re-authenticated, so the new expiry is in the cached document


class RechargeDialog(QDialog):
    """``redeemed`` carries the re-authenticated status (the main window shows it)."""

    redeemed = Signal(LocalStatus)

    def __init__(self, parent: QWidget, service: RechargeService, code: str = "") -> None:
        super().__init__(parent)
        self.service = service
        self.ops: list[Op] = []
        self.answer: RedeemResult | None = None  # the server's answer to the last redeem
        self.setWindowTitle(tr("Recharge"))
        intro = QLabel(
            tr("Enter a recharge code (充值码) to extend this computer's licence. A code works once, for one licence.")
        )
        intro.setWordWrap(True)
        # The server shares CODE_INVALID with verification codes; here it is about a recharge code.
        self.entry = CodeEntry(
            "RC-XXXX-XXXX-XXXX-XXXX",
            tr("Redeem"),
            min_chars=RECHARGE_CODE_CHARS,
            text=code,
            renamed_errors={ErrorCode.CODE_INVALID: ClientErrorCode.RECHARGE_CODE_INVALID},
        )
        self.entry.submitted.connect(self.on_code_submitted)
        self.code_edit, self.redeem_button, self.message = self.entry.edit, self.entry.button, self.entry.message
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.entry)
        box.addStretch(1)
        box.addLayout(closing_row(self))
        self.setMinimumWidth(520)

    @classmethod
    def ask(
        cls,
        parent: QWidget,
        service: RechargeService,
        on_redeemed: Callable[[LocalStatus], None] | None = None,
        code: str = "",
    ) -> RechargeDialog:
        dialog = cls(parent, service, code)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_redeemed is not None:
            dialog.redeemed.connect(on_redeemed)
        dialog.open()
        return dialog

    def on_code_submitted(self, code: str) -> None:
        def work(cancel: CancelToken) -> Redeemed:
            answer = self.service.redeem_recharge_code(code, cancel=cancel)
            # The months are on the server now; a fresh signed document brings the new expiry here.
            return Redeemed(answer, self.service.after_payment(cancel=cancel))

        run_kept(
            self,
            self.ops,
            work,
            on_success=self.on_redeemed,
            on_failure=self.entry.show_failure,
            progress_text=tr("Redeeming the recharge code…"),
            trigger=self.redeem_button,
        )

    def on_redeemed(self, result: Redeemed) -> None:
        answer = result.answer
        self.answer = answer
        self.entry.show_done(
            tr(
                "Added {months} months. The licence now runs until {when}.",
                months=answer.months,
                when=answer.expires_at.astimezone(),  # tr() writes it in the UI language
            )
        )
        self.redeemed.emit(result.status)
