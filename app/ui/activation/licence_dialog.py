"""A dialog that may change the licence of this computer and says so with the fresh status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.services.licence_service import LicenceService
from app.services.local_status import LocalStatus
from app.ui.status_view import StatusView


class LicenceChangingDialog(QDialog):
    """``licence_changed`` carries the status with the fresh document after the dialog changed the licence."""

    licence_changed = Signal(LocalStatus)

    def __init__(self, parent: QWidget, service: LicenceService, view: StatusView | None) -> None:
        super().__init__(parent)
        self.service = service
        self.view = view

    @classmethod
    def ask(
        cls,
        parent: QWidget,
        service: LicenceService,
        view: StatusView | None,
        on_changed: Callable[[LocalStatus], None] | None = None,
    ) -> Self:
        """Open the dialog (window-modal, deleted on close); ``on_changed`` hears of every change it makes."""
        dialog = cls(parent, service, view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_changed is not None:
            dialog.licence_changed.connect(on_changed)
        dialog.open()
        return dialog
