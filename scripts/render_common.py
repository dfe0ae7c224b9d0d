"""What the render_*_screens scripts share: the command line, the language loop over the demo server, grabbing."""

from __future__ import annotations

import argparse
import atexit
import functools
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import requests  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QRect, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QFont, QFontMetrics  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QHeaderView,
    QLabel,
    QListView,
    QStyle,
    QTableView,
    QWidget,
)

from app import i18n  # noqa: E402
from app.services.demo_backend import DemoBackend, start_demo_backend  # noqa: E402
from app.ui.theme import apply_theme  # noqa: E402
from tests.support.keyring import MemoryKeyring  # noqa: E402

TIMEOUT_S = 30.0

# Renders the screens of one language: (out_dir, lang, demo backend, work dir) -> the shots taken.
LanguageRun = Callable[[Path, str, DemoBackend, Path], "list[Shot]"]


@dataclass
class Shot:
    name: str
    path: Path
    problems: list[str]


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    """Run the event loop until ``condition()`` holds (checked every 10 ms), like pytest-qt's waitUntil."""
    if condition():
        return
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    timer.start()
    deadline.start(int(timeout * 1000))
    loop.exec()
    timer.stop()
    if not condition():
        raise TimeoutError("the screen did not reach the expected state in time")


def layout_problems(root: QWidget, lang: str, data_texts: Iterable[str] = ()) -> list[str]:
    """What a user of ``lang`` would see wrong on ``root``: texts cut by their widget or by the window, table
    headers and cells elided without a tooltip, and texts left in another language (``data_texts`` are the
    server's and the user's own words, shown as they are: organisation and ledger names, typed addresses)."""
    problems: list[str] = []
    table = i18n.catalogue(lang) if lang != "en" else {}
    untranslated = {msgid for msgid, text in table.items() if text != msgid}  # "CDkey" stays "CDkey"
    data = sorted({t for t in (*data_texts, *_proper_names()) if t}, key=len, reverse=True)
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        if isinstance(widget, QTableView | QListView) and widget.model() is not None:
            problems += _item_view_problems(widget, lang, data)
            continue
        text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
        if not text:
            continue
        name = f"{type(widget).__name__}({text[:40]!r})"
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height() + 2:
                problems.append(f"clipped height: {name} needs {needed}px, has {widget.height()}px")
        elif widget.sizeHint().width() > widget.width() + 2 and widget.width() > 0:
            problems.append(f"clipped width: {name} needs {widget.sizeHint().width()}px, has {widget.width()}px")
        if widget is not root and (cut := _cut_by_ancestor(widget, root, scrolled=isinstance(widget, QAbstractButton))):
            problems.append(f"cut by the {cut}: {name}")
        if text in untranslated or text.rstrip("…") in untranslated:
            problems.append(f"untranslated: {name}")
        elif leftovers := foreign_words(_plain(text) if isinstance(widget, QLabel) else text, lang, data):
            problems.append(f"untranslated {leftovers}: {name}")
    return problems


def _cut_by_ancestor(widget: QWidget, root: QWidget, *, scrolled: bool) -> str | None:
    """Which ancestor shows only part of ``widget`` ("window", "scroll area"), or None if it is whole or
    wholly scrolled out of view (then the user scrolls to it, which is fine). ``scrolled``: whether half of it
    at a scroll area's edge counts too (half a button does; a text line at the fold is what scrolling is for)."""
    whole = widget.rect()
    shown = QRect(whole)
    current = widget
    while current is not root:
        parent = current.parentWidget()
        if parent is None:
            return None
        whole.translate(current.pos())
        shown.translate(current.pos())
        shown = shown.intersected(parent.rect())
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            if isinstance(area, QAbstractItemView):
                return None  # a cell's widget: rows scroll by themselves, the table's own check covers them
            if shown.isEmpty():
                return None
            if shown != whole and scrolled:
                return "scroll area"
            whole = QRect(shown)  # the rest of it is reached by scrolling: only what shows can be cut further up
        current = parent
    return "window" if shown != whole else None


def _item_view_problems(view: QTableView | QListView, lang: str, data: list[str]) -> list[str]:
    """Headers and cells a table or list elides without a tooltip to read them by, columns cut by its width,
    and their texts left in another language."""
    problems: list[str] = []
    model = view.model()
    label = type(view).__name__
    viewport = view.viewport().width()
    columns = range(model.columnCount()) if isinstance(view, QTableView) else range(1)
    header = view.horizontalHeader() if isinstance(view, QTableView) else None
    for col in columns:
        if isinstance(view, QTableView) and view.isColumnHidden(col):
            continue
        width = view.columnWidth(col) if isinstance(view, QTableView) else viewport
        if header is not None and header.isVisible():
            title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
            left = header.sectionViewportPosition(col)
            if left < viewport < left + width - 1:
                problems.append(f"column cut by the table's width: {label} header {title!r}")
            needed = _header_text_width(header, title)
            tip = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
            if needed > width + 1 and not tip:
                problems.append(f"elided header without a tooltip: {label} {title!r} needs {needed}px, has {width}px")
            if leftovers := foreign_words(title, lang, data):
                problems.append(f"untranslated {leftovers}: {label} header {title!r}")
        for row in range(model.rowCount()):
            index = model.index(row, col)
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if not isinstance(text, str) or not text or view.indexWidget(index) is not None:
                continue
            if isinstance(view, QTableView) and view.isRowHidden(row):
                continue
            needed = view.sizeHintForIndex(index).width()
            lines_fit = (
                view.wordWrap() and isinstance(view, QTableView) and view.rowHeight(row) >= _wrapped(view, text, width)
            )
            if needed > width + 1 and not lines_fit and not index.data(Qt.ItemDataRole.ToolTipRole):
                problems.append(f"elided cell without a tooltip: {label} {text[:40]!r} needs {needed}px, has {width}px")
            if leftovers := foreign_words(text, lang, data):
                problems.append(f"untranslated {leftovers}: {label} cell {text[:40]!r}")
    return problems


def _header_text_width(header: QHeaderView, title: str) -> int:
    """The width the header's text takes as panel.qss draws it: semi-bold, 6 px padding each side."""
    font = QFont(header.font())
    font.setWeight(QFont.Weight.DemiBold)
    margin = max(6, header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header))
    return QFontMetrics(font).horizontalAdvance(title) + 2 * margin


def _wrapped(view: QAbstractItemView, text: str, width: int) -> int:
    """The height ``text`` takes word-wrapped in a cell ``width`` wide (with the item's padding)."""
    flags = int(Qt.TextFlag.TextWordWrap)
    return view.fontMetrics().boundingRect(QRect(0, 0, max(1, width - 8), 10_000), flags, text).height() + 4


# -- texts left in another language --------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Identifiers, not words: codes, URLs, e-mails, file names, ACCOUNT_MISMATCH, CDkey-like mixes with digits.
_IDENTIFIER = re.compile(r"\S*(?:[0-9_@/\\]|[A-Za-z]\.[A-Za-z])\S*|\b[A-Z]{2,}\b")


def _plain(text: str) -> str:
    return _TAG.sub(" ", text).replace("&nbsp;", " ")


@functools.cache
def _english_words() -> frozenset[str]:
    """Every word of the English msgids: what an English leftover is made of."""
    words: set[str] = set()
    for msgid in i18n.catalogue("zh_CN"):
        words |= {w.lower() for w in _LATIN_WORD.findall(_PLACEHOLDER.sub(" ", msgid))}
    return frozenset(words)


@functools.cache
def _kept_words(lang: str) -> frozenset[str]:
    """Latin words the translations of ``lang`` keep themselves (CDkey, WeChat, Vietnamese words)."""
    words: set[str] = set()
    for text in i18n.catalogue(lang).values():
        words |= {w.lower() for w in _LATIN_WORD.findall(_PLACEHOLDER.sub(" ", text))}
    return frozenset(words)


@functools.cache
def _proper_names() -> tuple[str, ...]:
    """The states' Chinese names, shown beside the translated label in every language (PROTOCOL.md "States")."""
    from app.domain.states import CATALOGUE

    return tuple(info.label_zh for info in CATALOGUE.values())


def foreign_words(text: str, lang: str, data: Iterable[str] = ()) -> list[str]:
    """Words of ``text`` a ``lang`` user should not see: English words (any language but en) and Chinese
    (vi, fa), leaving out identifiers, numbers and the ``data`` strings (names the server or the user gave)."""
    if lang == "en" or not text:
        return []
    for name in data:
        text = text.replace(name, " ")
    text = _IDENTIFIER.sub(" ", text)
    english, kept = _english_words(), _kept_words(lang)
    found = [w for w in _LATIN_WORD.findall(text) if w.lower() in english and w.lower() not in kept]
    if lang != "zh_CN":
        found += _CJK.findall(text)
    return found


class ScreenGrabber:
    """Writes PNGs of one language under ``out_dir/lang`` and keeps each with its layout problems."""

    def __init__(self, out_dir: Path, lang: str, backend: DemoBackend) -> None:
        self.out = out_dir / lang
        self.out.mkdir(parents=True, exist_ok=True)
        self.lang = lang
        self.backend = backend
        self.keyring = MemoryKeyring()
        self.shots: list[Shot] = []
        # What the flows type in themselves (invoice titles, addresses): shown as typed, in any language.
        self.typed_texts: set[str] = set()

    def grab(self, name: str, widget: QWidget) -> None:
        widget.show()
        # A word-wrapped label gets its height over several layout passes (each posts the next): let them
        # all run before grabbing and judging clipping, however slowly a loaded machine delivers them.
        for _ in range(5):
            QApplication.sendPostedEvents()
            QApplication.processEvents()
        path = self.out / f"{name}.png"
        widget.grab().save(str(path), "PNG", 80)  # light compression: a third of the time of the default level
        data = {*self.typed_texts, *demo_names(self.backend)}
        self.shots.append(Shot(name, path, layout_problems(widget, self.lang, data)))


def demo_names(backend: DemoBackend) -> set[str]:
    """The names the demo server holds (organisations, products, ledgers, computers, announcements, support
    teams): data in Chinese or English whatever the panel's language, so never an untranslated text of the panel."""
    from sqlalchemy import select

    from server import models

    columns = (
        models.Account.display_name,
        models.Organisation.name,
        models.Product.name,
        models.Ledger.name,
        models.Machine.name,
        models.AddonKey.name,
        models.Announcement.title,
        models.Announcement.body,
        models.SupportContact.team,  # in its market's language, the brand ("e会计") kept
    )
    names: set[str] = set()
    with backend._server.ctx.sessions() as session:
        for column in columns:
            names |= {v for v in session.scalars(select(column).distinct()) if v}
    return names


def dead_url() -> str:
    """A loopback port nobody listens on: the server of a computer without a network."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def pay(url: str, method: str = "wechat") -> None:
    """Pay an order on the demo server's sandbox pay page with ``method`` (one of the order's market's methods),
    as the customer's browser would."""
    with requests.Session() as http:
        http.trust_env = False  # loopback demo server: never through a proxy
        http.post(url, data={"method": method}, timeout=15).raise_for_status()


_seeded_template: Path | None = None


def fresh_demo_backend(data_dir: Path) -> DemoBackend:
    """A demo server of its own under ``data_dir``, copied from one seeded once per process: seeding takes about
    ten seconds, a copy well under one, and a server of its own per language keeps each language's sign-ins under
    the per-address limit and gives flows that use up demo data (activating `fresh`, paying) untouched data."""
    global _seeded_template
    if _seeded_template is None:
        template = Path(tempfile.mkdtemp(prefix="render-demo-template-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        start_demo_backend(template).stop()
        _seeded_template = template
    shutil.copytree(_seeded_template, data_dir, dirs_exist_ok=True)
    return start_demo_backend(data_dir)


def render_languages(
    out_dir: Path,
    languages: list[str],
    run: LanguageRun,
    *,
    prefix: str,
    work: Path | None = None,
) -> list[Shot]:
    """Run ``run`` once per language, themed for it, against a fresh copy of the embedded demo server."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)  # type: ignore[arg-type]
    previous = i18n.current_language()
    shots: list[Shot] = []
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = work or Path(tmp)
        try:
            for lang in languages:
                backend = fresh_demo_backend(root / lang / "demo")
                before = set(QApplication.topLevelWidgets())
                try:
                    i18n.set_language(lang)
                    apply_theme(app)  # type: ignore[arg-type]  # the language's font and direction
                    shots += run(out_dir, lang, backend, root)
                finally:
                    backend.stop()
                    _delete_windows(set(QApplication.topLevelWidgets()) - before)
        finally:
            i18n.set_language(previous)
    return shots


def _delete_windows(windows: set[QWidget]) -> None:
    """Delete the windows and dialogs a run left closed but alive: each later run (the next language, the next
    test in the same process) would otherwise restyle and deliver events to all of them, ever slower."""
    for window in windows:
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def _language_list(value: str) -> list[str]:
    langs = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in langs if v not in i18n.LANGUAGES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown language(s) {unknown}; choose from {', '.join(i18n.LANGUAGES)}")
    return langs


def main(argv: list[str] | None, description: str | None, render: Callable[[Path, list[str]], list[Shot]]) -> int:
    """The command line of every render script: render, list the problems, exit 1 if there were any."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="output directory (git-ignored)")
    parser.add_argument("--lang", action="append", choices=i18n.LANGUAGES, help="default: all four")
    parser.add_argument("--langs", type=_language_list, default=[], help="comma-separated, e.g. vi,fa")
    args = parser.parse_args(argv)
    shots = render(Path(args.out), (args.lang or []) + args.langs or list(i18n.LANGUAGES))
    for shot in shots:
        for problem in shot.problems:
            print(f"{shot.path.relative_to(Path(args.out))}: {problem}")
    print(f"{len(shots)} screens written under {args.out}")
    return 1 if any(s.problems for s in shots) else 0
