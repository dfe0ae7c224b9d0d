"""系统认证: the licence state in plain words, what to do next, and the licence's details."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.lease import LeaseLevel, lease
from app.domain.states import Action, StateCode
from app.i18n import tr
from app.ui.presenter import format_when
from app.ui.status_view import StatusView, action_label
from app.ui.theme import repolish
from app.ui.widgets.copy_field import CopyField
from app.ui.widgets.flow_layout import FlowLayout
from app.ui.widgets.state_badge import StateBadge

# Page tools that are no state action (the main window handles them).
OPEN_ADDONS = "OPEN_ADDONS"
DEACTIVATE_THIS_MACHINE = "DEACTIVATE_THIS_MACHINE"


def format_remaining(until: datetime | None, now: datetime) -> str:
    if until is None:
        return "—"
    seconds = (until - now).total_seconds()
    if seconds <= 0:
        return tr("expired {when}", when=format_when(until))
    days, rest = divmod(int(seconds), 86400)
    hours = rest // 3600
    if days:
        return tr("{days} d {hours} h left (until {when})", days=days, hours=hours, when=format_when(until))
    return tr("{hours} h left (until {when})", hours=max(hours, 0), when=format_when(until))


def _card() -> QFrame:
    card = QFrame()
    card.setObjectName("card")
    return card


class AuthPage(QWidget):
    """Shows a StatusView; every button only asks the main window to act (views never do I/O)."""

    action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status: StatusView | None = None
        title = QLabel(tr("System authentication"))
        title.setObjectName("pageTitle")

        # state card
        state_card = _card()
        self.badge = StateBadge()
        self.explanation = QLabel()
        self.explanation.setObjectName("explanation")
        self.explanation.setWordWrap(True)
        self.next_step = QLabel()
        self.next_step.setObjectName("nextStep")
        self.next_step.setWordWrap(True)
        # 重新注册 is limited per licence per year: say how much of the limit is used (FINGERPRINT_CHANGED).
        self.reregister_note = QLabel()
        self.reregister_note.setObjectName("hint")
        self.reregister_note.hide()
        self.error_line = QLabel()
        self.error_line.setObjectName("errorText")
        self.error_line.setWordWrap(True)
        self.error_line.hide()
        self.actions_row = FlowLayout(spacing=8)  # wraps: translated button texts can be long
        self.action_buttons: dict[str, QPushButton] = {}
        state_box = QVBoxLayout(state_card)
        state_box.setContentsMargins(20, 18, 20, 18)
        state_box.setSpacing(10)
        state_box.addWidget(self.badge)
        state_box.addWidget(self.explanation)
        state_box.addWidget(self.next_step)
        state_box.addWidget(self.reregister_note)
        state_box.addWidget(self.error_line)
        state_box.addLayout(self.actions_row)

        # details card
        details_card = _card()
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        self.feature_code = CopyField()
        rows: list[tuple[str, str]] = [
            ("account", tr("Activation account")),
            ("organisation", tr("Organisation")),
            ("product", tr("Product / edition")),
            ("serial", tr("Serial number")),
            ("feature_code", tr("Feature code")),
            ("expires", tr("Expiry date")),
            ("seats", tr("Seats used / max")),
            ("last_check", tr("Last online check")),
            ("lease", tr("Offline lease remaining")),
            ("certification", tr("Enterprise certification")),
            ("addons", tr("Add-on services")),
        ]
        for row, (key, name) in enumerate(rows):
            name_label = QLabel(name)
            name_label.setObjectName("fieldName")
            grid.addWidget(name_label, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if key == "feature_code":
                grid.addWidget(self.feature_code, row, 1)
                continue
            value = QLabel("—")
            value.setObjectName("fieldValue")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        details_title = QLabel(tr("Licence details"))
        details_title.setObjectName("sectionTitle")
        details_box = QVBoxLayout(details_card)
        details_box.setContentsMargins(20, 18, 20, 18)
        details_box.setSpacing(12)
        details_box.addWidget(details_title)
        details_box.addLayout(grid)

        # the always-present tools of this page
        self.reauth_button = QPushButton(tr("Check online"))
        self.activate_button = QPushButton(tr("Activate…"))
        self.machines_button = QPushButton(tr("Manage computers…"))
        self.reregister_button = QPushButton(tr("Re-register"))
        self.certify_button = QPushButton(tr("Enterprise certification…"))
        self.addons_button = QPushButton(tr("Add-on services…"))
        self.deactivate_button = QPushButton(tr("Deactivate this computer…"))
        self.deactivate_button.setProperty("danger", True)
        self.deactivate_button.setToolTip(tr("Free this computer's seat before moving the licence to a new PC."))
        tools = FlowLayout(spacing=8)
        self.tool_buttons = [
            (self.reauth_button, Action.REAUTHENTICATE),
            (self.activate_button, Action.ACTIVATE),
            (self.machines_button, Action.MANAGE_MACHINES),
            (self.reregister_button, Action.REREGISTER),
            (self.certify_button, Action.CERTIFY),
            (self.addons_button, OPEN_ADDONS),
            (self.deactivate_button, DEACTIVATE_THIS_MACHINE),
        ]
        for button, action in self.tool_buttons:
            button.clicked.connect(lambda _=False, a=str(action): self.action_requested.emit(a))
            tools.addWidget(button)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(16)
        column.addWidget(title)
        column.addWidget(state_card)
        column.addWidget(details_card)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        # The tools stay under the scrolled cards: a long explanation (Vietnamese, Persian) scrolls the details,
        # never half a button below the window's edge.
        tools_bar = QWidget()
        tools.setContentsMargins(28, 8, 28, 12)
        tools_bar.setLayout(tools)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(scroll)
        outer.addWidget(tools_bar)

    # -- rendering --------------------------------------------------------------------------------

    def show_status(self, status: StatusView, now: datetime | None = None) -> None:
        self.status = status
        now = now or datetime.now(UTC)
        self.badge.set_state(code=status.code, label=status.label, label_zh=status.label_zh, severity=status.severity)
        self.explanation.setText(status.explanation)
        self.next_step.setText(tr("Next step: {step}", step=status.next_step) if status.next_step else "")
        self.next_step.setVisible(bool(status.next_step))
        self._set_actions(status.actions, sign_in_as=status.sign_in_as)
        self._set_value("account", status.account, empty=tr("(blank) — not activated to an account"))
        self._set_value("organisation", status.organisation)
        self._set_value("product", status.product)
        self._set_value("serial", status.serial_masked)
        self.feature_code.set_text(status.feature_code or "")
        if status.has_licence:
            expiry = tr("Perpetual") if status.expires_at is None else format_when(status.expires_at)
        else:
            expiry = None
        self._set_value("expires", expiry)
        seats = tr("{used} / {max}", used=status.seats[0], max=status.seats[1]) if status.seats else None
        self._set_value("seats", seats)
        # The row's name says what the time is (最近在线认证): the value is the time alone.
        last = format_when(status.last_online_check) if status.last_online_check else None
        self._set_value("last_check", last, empty=tr("never"))
        self._set_value("lease", format_remaining(status.lease_expires_at, now) if status.lease_expires_at else None)
        self._mark_lease(status, now)
        self._set_value("addons", self._addons_text(status, now) if status.has_licence else None)
        self._set_value("certification", self._certification_text(status, now))
        has_licence = status.has_licence
        self.machines_button.setEnabled(has_licence or status.code is StateCode.TOO_MANY_MACHINES)
        # Another account's licence: its computers and its seat are not this account's to manage or free.
        foreign = status.code is StateCode.ACCOUNT_MISMATCH
        self.reauth_button.setEnabled(has_licence)  # nothing to check online before a licence is here
        changed = status.code is StateCode.FINGERPRINT_CHANGED
        self.reregister_button.setVisible(changed)
        self.reregister_note.setVisible(changed and status.reregistrations is not None)
        if status.reregistrations is not None:
            used, limit = status.reregistrations
            self.reregister_note.setText(
                tr("Re-registered {used} of {limit} times in the last 12 months.", used=used, limit=limit)
            )
        # Tools shown only when they apply: certification while it is due, the others with a licence here.
        applies = {
            Action.REREGISTER: status.code is StateCode.FINGERPRINT_CHANGED,
            Action.CERTIFY: status.certification_status in ("pending", "overdue"),
            Action.MANAGE_MACHINES: not foreign,
            OPEN_ADDONS: has_licence and not foreign,
            DEACTIVATE_THIS_MACHINE: has_licence and not foreign and status.code is not StateCode.FINGERPRINT_CHANGED,
        }
        # A tool already offered as one of the state's next steps is not shown twice.
        for button, action in self.tool_buttons:
            button.setVisible(action not in status.actions and applies.get(action, True))

    def button_for(self, action: str) -> QPushButton | None:
        """The visible button for ``action``: the state's next-step button, else the page's own tool."""
        if action in self.action_buttons:
            return self.action_buttons[action]
        return next((b for b, a in self.tool_buttons if a == action), None)

    def show_error(self, text: str | None) -> None:
        """A failed call in plain words; the licence state above stays what it was."""
        self.error_line.setText(text or "")
        self.error_line.setVisible(bool(text))

    def _set_actions(self, actions: tuple[str, ...], *, sign_in_as: str | None = None) -> None:
        while self.actions_row.count():
            item = self.actions_row.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # deleteLater acts on the next event-loop pass; until then it must not show
                widget.deleteLater()
        self.action_buttons = {}
        for index, action in enumerate(actions):
            label = action_label(action)
            if action == Action.SWITCH_ACCOUNT and sign_in_as:
                label = tr("Sign in as {account}", account=sign_in_as)
            button = QPushButton(label)
            button.setProperty("primary", index == 0)
            button.setObjectName(f"action_{action}")
            button.clicked.connect(lambda _=False, a=action: self.action_requested.emit(a))
            repolish(button)
            self.actions_row.addWidget(button)
            button.show()  # at once: Qt would otherwise show a new child only on the next event-loop pass
            self.action_buttons[action] = button

    def _mark_lease(self, status: StatusView, now: datetime) -> None:
        """The last 3 days of the offline lease are said louder (red), not only counted down."""
        label = self.values["lease"]
        if status.lease_expires_at is None or not status.has_licence:
            label.setProperty("lease", "")
        else:
            level = lease(status.lease_expires_at, now).level
            label.setProperty("lease", str(level))
            if level is LeaseLevel.STRONG:  # expired says so already
                label.setText(label.text() + "  " + tr("— check online soon"))
        label.setStyleSheet(
            "color: #b91c1c; font-weight: 600;" if label.property("lease") in ("strong", "expired") else ""
        )

    @staticmethod
    def _addons_text(status: StatusView, now: datetime) -> str | None:
        if not status.addons:
            return None
        parts = []
        for name, expires_at in status.addons:
            if expires_at is None:
                parts.append(name)
            elif expires_at <= now:
                parts.append(tr("{name} (expired {day})", name=name, day=expires_at.astimezone().date()))
            else:
                parts.append(tr("{name} (until {day})", name=name, day=expires_at.astimezone().date()))
        return "; ".join(parts)

    def _set_value(self, key: str, text: str | None, *, empty: str = "—") -> None:
        label = self.values[key]
        label.setText(text if text else empty)
        label.setObjectName("fieldValue" if text or empty == "—" else "fieldValueEmpty")
        repolish(label)

    @staticmethod
    def _certification_text(status: StatusView, now: datetime) -> str | None:
        if status.certification_status in (None, "none"):
            return None
        if status.certification_status == "certified":
            return tr("Certified")
        if status.certification_deadline is None:
            return tr("Pending")
        remaining = (status.certification_deadline - now).days
        if remaining < 0:
            return tr("Overdue since {when}", when=format_when(status.certification_deadline))
        return tr("Due by {when} ({days} days left)", when=format_when(status.certification_deadline), days=remaining)
