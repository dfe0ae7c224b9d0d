"""The read-only tables of 批量续费 (customers, review, status): rows selected whole, full text in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem


def table(headers: list[str], *, elided: tuple[int, ...] = ()) -> QTableWidget:
    """Columns as wide as their contents; the ``elided`` ones (long names) share what is left and elide, so that
    a language with long headers (Vietnamese) never pushes the last columns past the table's edge. Every header
    has its text as tooltip, for when one is elided."""
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    for col, text in enumerate(headers):
        header_item = widget.horizontalHeaderItem(col)
        if header_item is not None and text:
            header_item.setToolTip(text)
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setAlternatingRowColors(True)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(not elided)
    header.setTextElideMode(Qt.TextElideMode.ElideRight)  # "Hóa đơn…", not cut at both ends
    # panel.qss draws sections semi-bold; with the same weight here, eliding and sizing measure what is drawn
    # (with the regular weight a header that "fits" loses its last letter).
    font = QFont(header.font())
    font.setWeight(QFont.Weight.DemiBold)
    header.setFont(font)
    # Qt elides a section's text to its width less the style's header margin (4 px a side), not the 6 px padding
    # of panel.qss: with the padding equal to the margin, a header that does not fit ends in "…" instead of
    # being cut at both ends.
    header.setStyleSheet("QHeaderView::section { padding: 4px; }")
    for col in elided:
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
    return widget


def cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def fill_row(widget: QTableWidget, row: int, values: list[str]) -> None:
    for col, text in enumerate(values):
        widget.setItem(row, col, cell(text))
