"""The strip above the pages: maintenance in progress, announcements, and the offline lease running out.

It only shows what it is given (views never do I/O). Each row has a kind — ``maintenance``, ``notice``,
``lease`` or ``lease_strong`` / ``lease_expired`` — which sets its colour, and plain text in the current language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.domain import formatting
from app.domain.lease import Announcement, LeaseLevel, MaintenanceWindow, banner_announcements, lease
from app.domain.states import StateCode
from app.i18n import tr
from app.ui.status_view import StatusView

_STYLE = """
#bannerRow { border-radius: 6px; padding: 8px 12px; }
#bannerRow[kind="maintenance"] { background: #fef3c7; border: 1px solid #fcd34d; color: #78350f; }
#bannerRow[kind="notice"] { background: #eff6ff; border: 1px solid #bfdbfe; color: #1e3a8a; }
#bannerRow[kind="lease"] { background: #fef9c3; border: 1px solid #fde68a; color: #713f12; }
#bannerRow[kind="lease_strong"] { background: #fee2e2; border: 1px solid #fca5a5; color: #7f1d1d; font-weight: 600; }
#bannerRow[kind="lease_expired"] { background: #fee2e2; border: 1px solid #f87171; color: #7f1d1d; font-weight: 600; }
"""


def when(moment: datetime | None) -> str:
    return formatting.format_datetime(moment.astimezone()) if moment is not None else "—"


def maintenance_text(window: MaintenanceWindow) -> str:
    title = window.title or tr("Maintenance")
    if window.ends_at is not None:
        return tr(
            "The licence server is under maintenance ({title}) until {end}. The licence saved on this computer "
            "keeps working; the panel checks again by itself when the maintenance ends.",
            title=title,
            end=when(window.ends_at),
        )
    return tr(
        "The licence server is under maintenance ({title}). The licence saved on this computer keeps working; "
        "the panel checks again by itself later.",
        title=title,
    )


def announcement_text(item: Announcement, now: datetime) -> str:
    if item.is_maintenance and not item.in_force(now):
        return tr(
            "Planned maintenance: {title}, {start} to {end}. The licence server cannot be reached then. {body}",
            title=item.title,
            start=when(item.starts_at),
            end=when(item.ends_at),
            body=item.body,
        ).strip()
    if item.is_maintenance:
        return tr(
            "Maintenance now: {title} until {end}. {body}", title=item.title, end=when(item.ends_at), body=item.body
        ).strip()
    return f"{item.title}: {item.body}" if item.body else item.title


def lease_row(view: StatusView | None, now: datetime) -> tuple[str, str] | None:
    """(kind, text) for the offline lease, or None when there is nothing to warn about."""
    if view is None or not view.has_licence or view.lease_expires_at is None:
        return None
    state = lease(view.lease_expires_at, now)
    if view.code is StateCode.LEASE_EXPIRED or state.level is LeaseLevel.EXPIRED:
        return "lease_expired", tr(
            "This computer has been offline longer than the licence allows. Connect to the internet once and "
            "check online to go on using the software."
        )
    if state.level is LeaseLevel.STRONG:
        return "lease_strong", tr(
            "Only {days} days of offline use left (until {end}). Connect to the internet and check online now, "
            "or the software stops working.",
            days=state.days_left,
            end=when(state.ends_at),
        )
    if view.code is StateCode.OFFLINE_GRACE:
        return "lease", tr(
            "Working offline: the licence stays valid on this computer for {days} more days (until {end}).",
            days=state.days_left,
            end=when(state.ends_at),
        )
    return None


class Banner(QFrame):
    """Rows of notices; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet(_STYLE)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(28, 12, 28, 0)
        self._box.setSpacing(6)
        self.rows: list[QLabel] = []
        self.maintenance: MaintenanceWindow | None = None
        self.announcements: list[Announcement] = []
        self.view: StatusView | None = None
        self.hide()

    def set_maintenance(self, window: MaintenanceWindow | None) -> None:
        self.maintenance = window

    def set_announcements(self, items: Iterable[Announcement] | None) -> None:
        if items is not None:  # None: not read this time (server unreachable); keep what was shown
            self.announcements = list(items)

    def set_status(self, view: StatusView | None) -> None:
        self.view = view

    def refresh(self, now: datetime) -> None:
        """Rebuild the rows for ``now`` (the lease countdown moves; windows start and end)."""
        rows: list[tuple[str, str]] = []
        if self.maintenance is not None:
            rows.append(("maintenance", maintenance_text(self.maintenance)))
        for item in banner_announcements(self.announcements, now):
            if self.maintenance is not None and item.is_maintenance and item.in_force(now):
                continue  # already said by the maintenance row
            rows.append(("maintenance" if item.is_maintenance else "notice", announcement_text(item, now)))
        lease_info = lease_row(self.view, now)
        if lease_info is not None:
            rows.insert(0, lease_info)
        self._show(rows)

    def texts(self) -> list[tuple[str, str]]:
        return [(str(row.property("kind")), row.text()) for row in self.rows]

    def _show(self, rows: list[tuple[str, str]]) -> None:
        for label in self.rows:
            self._box.removeWidget(label)
            label.hide()
            label.deleteLater()
        self.rows = []
        for kind, text in rows:
            label = QLabel(text)
            label.setObjectName("bannerRow")
            label.setProperty("kind", kind)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._box.addWidget(label)
            self.rows.append(label)
        self.setVisible(bool(rows))
