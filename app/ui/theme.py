"""The panel's look: one style sheet, a font for the language's script, its writing direction, the icons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from app import i18n

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
# Put first for languages whose letters a CJK font draws badly or not at all: Vietnamese stacks two
# diacritics on one vowel (ế, ặ), Persian needs Arabic-script shaping. A font that has them all keeps
# one typeface per line instead of Qt patching single glyphs in from whatever font it finds.
SCRIPT_FONT_FAMILIES = {
    "vi": ("Segoe UI", "Noto Sans", "DejaVu Sans"),
    "fa": ("Vazirmatn", "Segoe UI", "Tahoma", "Noto Sans Arabic", "Noto Naskh Arabic", "DejaVu Sans"),
}


def resources_dir() -> Path:
    try:
        from app.resources import resources_dir as found  # type: ignore[attr-defined]

        return Path(found())
    except (ImportError, AttributeError):
        return Path(__file__).resolve().parents[2] / "resources"


def icon(name: str) -> QIcon:
    return QIcon(str(resources_dir() / "icons" / f"{name}.svg"))


def ui_font_families(lang: str, installed: set[str]) -> list[str]:
    """The installed families for ``lang``, best first; CJK ones stay as fallbacks (names in data are Chinese)."""
    wanted = [*SCRIPT_FONT_FAMILIES.get(lang, ()), *UI_FONT_FAMILIES]
    return [f for f in dict.fromkeys(wanted) if f in installed]


# Qt aligns a plain-text label by the direction of its own text, so in a right-to-left window a date, a tax id
# or a Chinese company name would sit at the far left of its form row while Persian values sit at the right.
# Form values follow the layout instead; borders that mark an edge move to the mirrored edge.
_RTL_QSS = """
QLabel#fieldValue, QLabel#fieldValueEmpty { qproperty-alignment: 'AlignRight | AlignAbsolute | AlignVCenter'; }
#navList::item { border-left: none; border-right: 3px solid transparent; }
#navList::item:selected { border-left: none; border-right: 3px solid #60a5fa; }
#stepList { border-right: none; border-left: 1px solid #e5e7eb; }
"""


_QT_LOCALES = {"zh_CN": "zh_CN", "en": "en_US", "vi": "vi_VN", "fa": "fa_IR"}


def apply_language(app: QApplication) -> None:
    """Font, writing direction and style sheet of the current language: at start-up and on a live switch."""
    lang = i18n.current_language()
    rtl = i18n.is_rtl(lang)
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
    # Qt's own number widgets (spin boxes) write digits the language's way too: Persian digits under fa.
    QLocale.setDefault(QLocale(_QT_LOCALES.get(lang, "en_US")))
    families = ui_font_families(lang, set(QFontDatabase.families()))
    font = QFont(app.font())
    if families:
        font.setFamilies(families)
    font.setPointSize(10)
    app.setFont(font)
    qss = resources_dir() / "styles" / "panel.qss"
    sheet = qss.read_text(encoding="utf-8") if qss.exists() else ""
    # Style sheets take image paths, not Qt resources: point them at the icons wherever resources/ lives.
    sheet = sheet.replace("@ICONS@", (resources_dir() / "icons").as_posix())
    app.setStyleSheet(sheet + (_RTL_QSS if rtl else ""))


def apply_theme(app: QApplication) -> None:
    apply_language(app)
    app.setWindowIcon(icon("app"))


def repolish(widget: object) -> None:
    """Re-apply the style sheet after a dynamic property (severity, valid…) changed."""
    style = widget.style()  # type: ignore[attr-defined]
    style.unpolish(widget)
    style.polish(widget)
