"""The panel's look: one style sheet, a CJK-capable font, the icons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

# Tried in order; the first installed one becomes the UI font and the rest stay as fallbacks so
# Chinese glyphs render even where the system default font has none (e.g. a bare Linux box).
UI_FONT_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "DejaVu Sans",
)


def resources_dir() -> Path:
    try:
        from app.resources import resources_dir as found  # type: ignore[attr-defined]

        return Path(found())
    except (ImportError, AttributeError):
        return Path(__file__).resolve().parents[2] / "resources"


def icon(name: str) -> QIcon:
    return QIcon(str(resources_dir() / "icons" / f"{name}.svg"))


def apply_theme(app: QApplication) -> None:
    installed = set(QFontDatabase.families())
    families = [f for f in UI_FONT_FAMILIES if f in installed]
    font = QFont(app.font())
    if families:
        font.setFamilies(families)
    font.setPointSize(10)
    app.setFont(font)
    qss = resources_dir() / "styles" / "panel.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    app.setWindowIcon(icon("app"))


def repolish(widget: object) -> None:
    """Re-apply the style sheet after a dynamic property (severity, valid…) changed."""
    style = widget.style()  # type: ignore[attr-defined]
    style.unpolish(widget)
    style.polish(widget)
