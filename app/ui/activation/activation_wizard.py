"""The activation checklist: account → organisation → product → serial + CDkey → review → confirm.

Each step shows what the licence will be bound to, because activating to the wrong account or
organisation is the costly mistake the vendors' support pages warn about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from licence_protocol.document import Product
from licence_protocol.errors import ErrorCode
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.accounts import Organisation, Profile
from app.domain.activation import ActivationPreview, LicenceSummary
from app.domain.key_entry import split_key_entry
from app.domain.markets import MARKET_NAMES
from app.i18n import isolate, tr
from app.services.errors import ApiError, CancelledError, InvalidDocumentError, NetworkError
from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui import presenter
from app.ui.auth.sign_in_dialog import SignInDialog
from app.ui.machines.machines_dialog import MachinesDialog
from app.ui.runner import CancelToken, Op, run_kept
from app.ui.theme import repolish
from app.ui.widgets.message import set_message
from app.ui.widgets.state_badge import StateBadge
from app.ui.widgets.tax_id_field import TaxIdField, panel_market

T = TypeVar("T")


def _label(text: str = "", name: str = "fieldValue", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class Step(QWidget):
    """One checklist step. ``ready()`` decides whether Next is enabled; ``changed`` asks to re-check it."""

    changed = Signal()

    def __init__(self, wizard: ActivationWizard, title: str, intro: str) -> None:
        super().__init__()
        self.wizard = wizard
        self.title = title
        heading = _label(title, "pageTitle")
        explanation = _label(intro, "explanation")
        self.body = QVBoxLayout()
        self.body.setSpacing(10)
        self.message = _label("", "errorText")
        self.message.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 20, 24, 12)
        column.setSpacing(12)
        column.addWidget(heading)
        column.addWidget(explanation)
        column.addLayout(self.body)
        column.addWidget(self.message)
        column.addStretch(1)

    def enter(self) -> None:
        """Called each time the step is shown (loads what it needs off the GUI thread)."""

    def ready(self) -> bool:
        return True

    def run(
        self,
        fn: Callable[[CancelToken], T],
        on_success: Callable[[T], None],
        text: str,
        trigger: QWidget | None = None,
    ) -> Op:
        set_message(self.message, None)
        return self.wizard.run(fn, on_success, lambda exc: self.fail(exc), text, trigger)

    def fail(self, exc: BaseException) -> None:
        if not isinstance(exc, CancelledError):
            set_message(self.message, presenter.error_text(exc))
        if isinstance(exc, NetworkError):
            self.wizard.offline_button.show()  # the server is unreachable: offer the file exchange


class AccountStep(Step):
    def __init__(self, wizard: ActivationWizard) -> None:
        super().__init__(
            wizard,
            tr("1. Check the account"),
            tr(
                "The licence will belong to the account signed in now. A test or colleague's account here means "
                "the licence goes to them."
            ),
        )
        self.account = _label("", "sectionTitle")
        self.switch_button = QPushButton(tr("Switch account…"))
        self.switch_button.clicked.connect(self.on_switch_button_clicked)
        row = QHBoxLayout()
        row.addWidget(_label(tr("Signed in as"), "fieldName", wrap=False))
        row.addWidget(self.account, 1)
        row.addWidget(self.switch_button)
        self.body.addLayout(row)

    def enter(self) -> None:
        self.account.setText(presenter.current_login(self.wizard.service) or tr("(not signed in)"))
        self.changed.emit()

    def ready(self) -> bool:
        return bool(presenter.current_login(self.wizard.service))

    def on_switch_button_clicked(self) -> None:
        SignInDialog.ask(
            self, self.wizard.service, lambda _a: self.wizard.on_account_switched(), demo_logins=self.wizard.demo_logins
        )


class OrganisationStep(Step):
    def __init__(self, wizard: ActivationWizard) -> None:
        super().__init__(
            wizard,
            tr("2. Check the organisation"),
            tr(
                "Pick the organisation that bought the licence. Its ledgers will be served by this licence; "
                "picking another one makes them seem to vanish."
            ),
        )
        self.orgs = QListWidget()
        self.orgs.setObjectName("orgList")
        self.orgs.setMinimumHeight(120)
        self.orgs.currentRowChanged.connect(lambda _r: self.changed.emit())
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(tr("Organisation name"))
        # A new organisation buys in the market chosen here (first the UI language's), and its tax id follows
        # that market's rule: a Vietnamese company set up from an English panel is not held to China's.
        self.new_market = QComboBox()
        self.new_market.setObjectName("newMarket")
        self.new_market.setToolTip(tr("Market"))
        self.new_market.setAccessibleName(tr("Market"))  # the row has no label: a screen reader names it so
        for code, msgid in MARKET_NAMES.items():
            self.new_market.addItem(tr(msgid), code)
        self.new_market.setCurrentIndex(max(self.new_market.findData(panel_market()), 0))
        self.new_tax_field = TaxIdField(optional=False, market=self.new_market.currentData())
        self.new_tax_id = self.new_tax_field.edit
        self.new_tax_id.setPlaceholderText(tr("Tax id"))
        self.new_tax_id.textChanged.connect(self.on_new_tax_id_text_changed)
        self.new_market.currentIndexChanged.connect(self.on_new_market_current_index_changed)
        self.create_button = QPushButton(tr("Create organisation"))
        self.create_button.clicked.connect(self.on_create_button_clicked)
        create_row = QHBoxLayout()
        create_row.addWidget(self.new_name, 2, Qt.AlignmentFlag.AlignTop)
        create_row.addWidget(self.new_market, 0, Qt.AlignmentFlag.AlignTop)
        create_row.addWidget(self.new_tax_field, 1)
        create_row.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignTop)
        self.body.addWidget(self.orgs)
        self.body.addWidget(_label(tr("Or create a new organisation:"), "muted"))
        self.body.addLayout(create_row)
        self.organisations: list[Organisation] = []

    def enter(self) -> None:
        self.run(
            lambda cancel: self.wizard.service.me(cancel=cancel), self.on_me_loaded, tr("Loading your organisations…")
        )

    def on_me_loaded(self, me: Profile) -> None:
        self.show_organisations(list(me.organisations))

    def show_organisations(self, organisations: list[Organisation], select_id: int | None = None) -> None:
        selected = self.selected
        previous = select_id if select_id is not None else (selected.id if selected is not None else None)
        self.organisations = organisations
        self.orgs.clear()
        for org in organisations:
            item = QListWidgetItem(presenter.organisation_choice(org))
            item.setToolTip(item.text())  # a long organisation name elides the line: the whole line on hover
            item.setData(Qt.ItemDataRole.UserRole, org.id)
            self.orgs.addItem(item)
            if org.id == previous or len(organisations) == 1:
                self.orgs.setCurrentItem(item)
        if not organisations:
            set_message(self.message, tr("This account has no organisation yet. Create one below."))
        self.changed.emit()

    @property
    def selected(self) -> Organisation | None:
        row = self.orgs.currentRow()
        return self.organisations[row] if 0 <= row < len(self.organisations) else None

    def ready(self) -> bool:
        return self.selected is not None

    def on_new_market_current_index_changed(self, _index: int) -> None:
        self.new_tax_field.set_market(self.new_market.currentData())
        self.on_new_tax_id_text_changed(self.new_tax_id.text())

    def on_new_tax_id_text_changed(self, _text: str) -> None:
        # Disabled while the hint under the field names a broken rule; an empty field is answered on the click.
        self.create_button.setEnabled(self.new_tax_field.check().msgid is None)

    def on_create_button_clicked(self) -> None:
        name, tax_id = self.new_name.text().strip(), self.new_tax_id.text().strip()
        if not name or not tax_id:
            set_message(self.message, tr("Enter the organisation's name and tax id."))
            return
        market = self.new_tax_field.market
        self.run(
            lambda cancel: self.wizard.service.create_org(name, tax_id, market=market, cancel=cancel),
            self.on_created,
            tr("Creating the organisation…"),
            self.create_button,
        )

    def on_created(self, org: Organisation) -> None:
        self.new_name.clear()
        self.new_tax_id.clear()
        self.show_organisations([*self.organisations, org], select_id=org.id)


class ProductStep(Step):
    def __init__(self, wizard: ActivationWizard) -> None:
        super().__init__(
            wizard,
            tr("3. Check the product"),
            tr(
                "The serial number must be for the product installed here. If your organisation bought several "
                "products, make sure you use this product's serial number."
            ),
        )
        self.product = _label("", "sectionTitle")
        self.licences = QListWidget()
        self.licences.setObjectName("licenceList")
        self.licences.setMinimumHeight(100)
        self.product_row_label = _label(tr("This software"), "fieldName")
        form = QFormLayout()
        form.addRow(self.product_row_label, self.product)
        self.body.addLayout(form)
        self.body.addWidget(_label(tr("Licences this organisation already has:"), "muted"))
        self.body.addWidget(self.licences)

    def enter(self) -> None:
        product = presenter.installed_product(self.wizard.installed_product)
        self.product.setText(product or "")
        self.product_row_label.setVisible(bool(product))
        self.product.setVisible(bool(product))
        org = self.wizard.organisation_step.selected
        if org is None:
            return
        self.run(
            lambda cancel: self.wizard.service.org_licences(org.id, cancel=cancel),
            self.on_licences_loaded,
            tr("Loading the organisation's licences…"),
        )

    def on_licences_loaded(self, licences: tuple[LicenceSummary, ...]) -> None:
        self.licences.clear()
        for lic in licences:
            item = QListWidgetItem(presenter.licence_summary(lic))
            item.setToolTip(item.text())  # a long product name elides the line: the whole line on hover
            self.licences.addItem(item)
        if not self.licences.count():
            self.licences.addItem(tr("None yet"))


class SerialStep(Step):
    def __init__(self, wizard: ActivationWizard) -> None:
        super().__init__(
            wizard,
            tr("4. Enter the serial number and CDkey"),
            tr(
                "Both are on your purchase confirmation. Keep them private. You can paste both at once into "
                "the serial number field."
            ),
        )
        self.serial = QLineEdit()
        self.serial.setObjectName("serialEdit")
        self.serial.setPlaceholderText("KJH-XXXX-XXXX-XXXX")
        self.cdkey = QLineEdit()
        self.cdkey.setObjectName("cdkeyEdit")
        self.cdkey.setPlaceholderText(tr("CDkey"))
        self.serial_hint = _label("", "hint")
        self.cdkey_hint = _label("", "hint")
        self.serial.textEdited.connect(self.on_serial_text_edited)
        self.cdkey.textEdited.connect(lambda _t: self.check())
        form = QFormLayout()
        form.setSpacing(8)
        form.addRow(tr("Serial number"), self.serial)
        form.addRow("", self.serial_hint)
        form.addRow(tr("CDkey"), self.cdkey)
        form.addRow("", self.cdkey_hint)
        self.body.addLayout(form)
        self.check()

    def on_serial_text_edited(self, text: str) -> None:
        # As printed on the card: "serial  cdkey" typed or pasted here fills both fields, and the cursor
        # follows into the CDkey field so typing on continues the CDkey.
        entry = split_key_entry(text)
        if entry.moves_on:
            self.serial.setText(entry.serial)
            if entry.cdkey:
                self.cdkey.setText(entry.cdkey)
            self.cdkey.setFocus(Qt.FocusReason.OtherFocusReason)
            self.cdkey.end(False)
        self.check()

    def check(self) -> None:
        for edit, hint, check in (
            (self.serial, self.serial_hint, presenter.serial_check(self.serial.text())),
            (self.cdkey, self.cdkey_hint, presenter.cdkey_check(self.cdkey.text())),
        ):
            text, is_error = presenter.key_hint(check)
            if check.ok:
                text = "✓ " + tr("Format looks right")
            hint.setText(text or "")
            hint.setObjectName("errorText" if is_error else "okText" if check.ok else "hint")
            repolish(hint)
            edit.setProperty("valid", None if not edit.text().strip() or check.partial else check.ok)
            repolish(edit)
        self.changed.emit()

    def values(self) -> tuple[str, str]:
        return presenter.serial_check(self.serial.text()).normalised, presenter.cdkey_check(
            self.cdkey.text()
        ).normalised

    def ready(self) -> bool:
        return presenter.serial_check(self.serial.text()).ok and presenter.cdkey_check(self.cdkey.text()).ok


class ReviewStep(Step):
    def __init__(self, wizard: ActivationWizard) -> None:
        super().__init__(
            wizard,
            tr("5. Review"),
            tr("The server says this is exactly what will be activated. Check every line before you go on."),
        )
        card = QFrame()
        card.setObjectName("card")
        self.form = QFormLayout(card)
        self.form.setContentsMargins(16, 14, 16, 14)
        self.form.setSpacing(8)
        self.fields: dict[str, QLabel] = {}
        for key, name in (
            ("account", tr("Account")),
            ("organisation", tr("Organisation")),
            ("product", tr("Product / edition")),
            ("serial", tr("Serial number")),
            ("seats", tr("Seats used / max")),
            ("expiry", tr("Expiry date")),
        ):
            self.fields[key] = _label("—")
            self.form.addRow(_label(name, "fieldName"), self.fields[key])
        self.warning = _label("", "errorText")
        self.warning.hide()
        self.confirm = QCheckBox(tr("I have checked the account, organisation and product"))
        self.confirm.setObjectName("reviewConfirm")
        self.confirm.toggled.connect(lambda _c: self.changed.emit())
        self.body.addWidget(card)
        self.body.addWidget(self.warning)
        self.body.addWidget(self.confirm)
        self.preview: ActivationPreview | None = None

    def enter(self) -> None:
        self.preview = None
        self.confirm.setChecked(False)
        self.confirm.setEnabled(False)
        serial, cdkey = self.wizard.serial_step.values()
        self.run(
            lambda cancel: self.wizard.service.preview(serial, cdkey, cancel=cancel),
            self.on_preview_loaded,
            tr("Asking the server what this serial number is…"),
        )

    def on_preview_loaded(self, preview: ActivationPreview) -> None:
        self.preview = preview
        org = self.wizard.organisation_step.selected
        product = presenter.product_text(preview.product, preview.edition)
        self.fields["account"].setText(presenter.current_login(self.wizard.service) or "—")
        self.fields["organisation"].setText(
            # The name and the tax id isolated: in Persian the id's digits would otherwise join the words around.
            f"{isolate(org.name) if org else '—'}  "
            f"({tr('Tax ID: {tax_id}', tax_id=(org.tax_id if org else '') or '—')})"
        )
        self.fields["product"].setText(product)
        self.fields["serial"].setText(preview.serial_masked)
        self.fields["seats"].setText(tr("{used} / {max}", used=preview.seats.used, max=preview.seats.max))
        self.fields["expiry"].setText(presenter.preview_expiry(preview))
        bound = preview.organisation
        warning = None
        if bound is not None and (org is None or bound.id != org.id):
            warning = tr(
                "This serial number is already activated for another organisation ({name}).",
                name=bound.name,
            )
        elif presenter.product_differs(self.wizard.installed_product, preview):
            warning = tr(
                "This serial number is for another product ({product}) than the one installed here.",
                product=product,
            )
        set_message(self.warning, warning)
        self.confirm.setEnabled(True)
        self.changed.emit()

    def ready(self) -> bool:
        return self.preview is not None and self.confirm.isChecked()


class ConfirmStep(Step):
    activated = Signal(LocalStatus)  # the state after the activation
    # A licence-state error (or a document signed by a key this panel does not know yet) also changes what
    # 系统认证 shows: ApiError or InvalidDocumentError.
    failed = Signal(Exception)

    def __init__(self, wizard: ActivationWizard) -> None:
        super().__init__(
            wizard,
            tr("6. Activate"),
            tr(
                "Activate the licence on this computer. The result appears below and on the System authentication page."
            ),
        )
        self.summary = _label("", "explanation")
        self.activate_button = QPushButton(tr("Activate now"))
        self.activate_button.setObjectName("activateNow")
        self.activate_button.setProperty("primary", True)
        self.activate_button.clicked.connect(self.on_activate_button_clicked)
        self.badge = StateBadge()
        self.badge.hide()
        self.machines_button = QPushButton(tr("Manage computers…"))
        self.machines_button.hide()
        self.machines_button.clicked.connect(self.on_machines_button_clicked)
        row = QHBoxLayout()
        row.addWidget(self.activate_button)
        row.addWidget(self.machines_button)
        row.addStretch(1)
        self.body.addWidget(self.summary)
        self.body.addLayout(row)
        self.body.addWidget(self.badge)
        self.result: LocalStatus | None = None
        self.failure: ApiError | None = None

    def enter(self) -> None:
        org = self.wizard.organisation_step.selected
        preview = self.wizard.review_step.preview
        self.summary.setText(
            tr(
                "{product} for {organisation}, account {account}.",
                product=presenter.product_text(preview.product, preview.edition) if preview else "—",
                organisation=org.name if org else "—",
                account=presenter.current_login(self.wizard.service) or "—",
            )
        )

    def on_activate_button_clicked(self) -> None:
        serial, cdkey = self.wizard.serial_step.values()
        org = self.wizard.organisation_step.selected
        if org is None:  # the checklist reaches this step only with an organisation chosen
            return
        org_id = org.id
        self.machines_button.hide()
        self.run(
            lambda cancel: self.wizard.service.activate(serial, cdkey, org_id, cancel=cancel),
            self.on_activated,
            tr("Activating…"),
            self.activate_button,
        )

    def on_activated(self, result: LocalStatus) -> None:
        self.result = result
        view = presenter.status_view(result, self.wizard.service)
        self.badge.set_state(code=view.code, label=view.label, label_zh=view.label_zh, severity=view.severity)
        self.badge.show()
        self.activate_button.hide()
        set_message(self.message, view.explanation, ok=view.severity == "ok")
        self.activated.emit(result)

    def fail(self, exc: BaseException) -> None:
        super().fail(exc)
        self.failure = exc if isinstance(exc, ApiError) else None
        if isinstance(exc, InvalidDocumentError):
            self.failed.emit(exc)
        if isinstance(exc, ApiError):
            self.failed.emit(exc)
            if exc.code is ErrorCode.TOO_MANY_MACHINES:
                self.machines_button.setVisible(self.wizard.failed_licence_id() is not None)

    def on_machines_button_clicked(self) -> None:
        licence_id = self.wizard.failed_licence_id()
        if licence_id is not None:
            dialog = MachinesDialog(self, self.wizard.service, licence_id)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()


class ActivationWizard(QDialog):
    """A six-step checklist; Next is enabled only once the current step is complete."""

    account_switched = Signal()

    def __init__(
        self,
        parent: QWidget,
        service: LicenceService,
        *,
        on_activated: Callable[[LocalStatus], None] | None = None,
        demo_logins: list[tuple[str, str]] | None = None,
        installed_product: Product | None = None,
    ) -> None:
        """``installed_product``: the product this panel ships with, when the host application says; the review
        then warns about a serial of another product."""
        super().__init__(parent)
        self.service = service
        self.installed_product = installed_product
        self.demo_logins = demo_logins or []
        self.ops: list[Op] = []
        self.setWindowTitle(tr("Activation checklist"))
        self.setMinimumSize(820, 560)
        self.account_step = AccountStep(self)
        self.organisation_step = OrganisationStep(self)
        self.product_step = ProductStep(self)
        self.serial_step = SerialStep(self)
        self.review_step = ReviewStep(self)
        self.confirm_step = ConfirmStep(self)
        self.steps: list[Step] = [
            self.account_step,
            self.organisation_step,
            self.product_step,
            self.serial_step,
            self.review_step,
            self.confirm_step,
        ]
        if on_activated is not None:
            self.confirm_step.activated.connect(on_activated)
        self.confirm_step.activated.connect(lambda _r: self._update_buttons())

        self.step_labels: list[QLabel] = []
        side = QWidget()
        side.setObjectName("stepList")
        side.setFixedWidth(220)
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(16, 20, 12, 12)
        side_box.setSpacing(4)
        side_box.addWidget(_label(tr("Checklist"), "sectionTitle"))
        for step in self.steps:
            label = _label(step.title, "stepItem")
            self.step_labels.append(label)
            side_box.addWidget(label)
        side_box.addStretch(1)

        self.stack = QStackedWidget()
        for step in self.steps:
            self.stack.addWidget(step)
            step.changed.connect(self._update_buttons)
        self.back_button = QPushButton(tr("Back"))
        self.next_button = QPushButton(tr("Next"))
        self.next_button.setObjectName("nextButton")
        self.next_button.setProperty("primary", True)
        self.close_button = QPushButton(tr("Cancel"))
        self.back_button.clicked.connect(lambda: self.go(self.stack.currentIndex() - 1))
        self.next_button.clicked.connect(lambda: self.go(self.stack.currentIndex() + 1))
        self.close_button.clicked.connect(self.reject)
        self.offline_button = QPushButton(tr("No internet on this computer? Activate offline"))
        self.offline_button.setObjectName("offlineActivation")
        self.offline_button.hide()
        self.offline_button.clicked.connect(self.on_offline_button_clicked)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(24, 8, 24, 16)
        buttons.addWidget(self.offline_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addLayout(right, 1)
        self.go(0)

    @property
    def current(self) -> Step:
        return self.steps[self.stack.currentIndex()]

    def go(self, index: int) -> None:
        if not 0 <= index < len(self.steps):
            return
        self._cancel_ops()
        self.stack.setCurrentIndex(index)
        self.steps[index].enter()
        self._update_buttons()

    def _update_buttons(self) -> None:
        index = self.stack.currentIndex()
        done = self.confirm_step.result is not None
        self.back_button.setEnabled(index > 0 and not done)
        self.next_button.setVisible(index < len(self.steps) - 1)
        self.next_button.setEnabled(self.current.ready() and not self.ops)
        self.close_button.setText(tr("Close") if done else tr("Cancel"))
        for i, label in enumerate(self.step_labels):
            label.setProperty("current", i == index)
            label.setProperty("done", i < index or done)
            label.setText(("✓ " if i < index or done else "") + self.steps[i].title)
            repolish(label)

    def run(
        self,
        fn: Callable[[CancelToken], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None],
        text: str,
        trigger: QWidget | None,
    ) -> Op:
        return run_kept(
            self,
            self.ops,
            fn,
            on_success=on_success,
            on_failure=on_failure,
            after=self._update_buttons,
            progress_text=text,
            trigger=trigger,
        )

    def failed_licence_id(self) -> int | None:
        """The licence the last activation failed on, as the server named it (TOO_MANY_MACHINES' ``licence_id``).

        Never guessed from the masked serial: two licences of an organisation can share one mask."""
        return presenter.licence_id_from_error(self.confirm_step.failure)

    def on_offline_button_clicked(self) -> None:
        from app.ui.offline.offline_dialog import open_offline_dialog

        self.offline_dialog = open_offline_dialog(
            self, serial=self.serial_step.serial.text(), cdkey=self.serial_step.cdkey.text()
        )

    def on_account_switched(self) -> None:
        self.account_switched.emit()
        self.account_step.enter()
        self.organisation_step.organisations = []
        self.organisation_step.orgs.clear()

    def _cancel_ops(self) -> None:
        for op in list(self.ops):
            op.cancel()

    def reject(self) -> None:
        self._cancel_ops()
        super().reject()
