"""What the render_*_screens scripts share: the command line, the language loop over the demo server, grabbing."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import requests  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget  # noqa: E402

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


def layout_problems(root: QWidget, lang: str) -> list[str]:
    """Clipped single-line labels and buttons; in a translated language, texts still in English."""
    problems: list[str] = []
    table = i18n.catalogue(lang) if lang != "en" else {}
    untranslated = {msgid for msgid, text in table.items() if text != msgid}  # "CDkey" stays "CDkey"
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
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
        if text in untranslated or text.rstrip("…") in untranslated:
            problems.append(f"untranslated: {name}")
    return problems


class ScreenGrabber:
    """Writes PNGs of one language under ``out_dir/lang`` and keeps each with its layout problems."""

    def __init__(self, out_dir: Path, lang: str, backend: DemoBackend) -> None:
        self.out = out_dir / lang
        self.out.mkdir(parents=True, exist_ok=True)
        self.lang = lang
        self.backend = backend
        self.keyring = MemoryKeyring()
        self.shots: list[Shot] = []

    def grab(self, name: str, widget: QWidget) -> None:
        widget.show()
        # A word-wrapped label gets its height over several layout passes (each posts the next): let them
        # all run before grabbing and judging clipping, however slowly a loaded machine delivers them.
        for _ in range(5):
            QApplication.sendPostedEvents()
            QApplication.processEvents()
        path = self.out / f"{name}.png"
        widget.grab().save(str(path))
        self.shots.append(Shot(name, path, layout_problems(widget, self.lang)))


def dead_url() -> str:
    """A loopback port nobody listens on: the server of a computer without a network."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def pay(url: str) -> None:
    """Pay an order on the demo server's sandbox pay page, as the customer's browser would."""
    with requests.Session() as http:
        http.trust_env = False  # loopback demo server: never through a proxy
        http.post(url, data={"method": "wechat"}, timeout=15).raise_for_status()


def render_languages(
    out_dir: Path,
    languages: list[str],
    run: LanguageRun,
    *,
    prefix: str,
    backend_per_language: bool = False,
    work: Path | None = None,
) -> list[Shot]:
    """Run ``run`` once per language, themed for it, against the embedded demo server.

    ``backend_per_language`` starts a fresh demo server for each language, for flows that use up demo data
    (activating the `fresh` licence, archiving a ledger, paying orders)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)  # type: ignore[arg-type]
    previous = i18n.current_language()
    shots: list[Shot] = []
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        root = work or Path(tmp)
        shared = None if backend_per_language else start_demo_backend(root / "demo")
        try:
            for lang in languages:
                backend = shared or start_demo_backend(root / lang / "demo")
                try:
                    i18n.set_language(lang)
                    apply_theme(app)  # type: ignore[arg-type]  # the language's font and direction
                    shots += run(out_dir, lang, backend, root)
                finally:
                    if shared is None:
                        backend.stop()
        finally:
            if shared is not None:
                shared.stop()
            i18n.set_language(previous)
    return shots


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
    parser.add_argument("--lang", action="append", choices=i18n.LANGUAGES, help="default: zh_CN and en")
    parser.add_argument("--langs", type=_language_list, default=[], help="comma-separated, e.g. vi,fa")
    args = parser.parse_args(argv)
    shots = render(Path(args.out), (args.lang or []) + args.langs or ["zh_CN", "en"])
    for shot in shots:
        for problem in shot.problems:
            print(f"{shot.path.relative_to(Path(args.out))}: {problem}")
    print(f"{len(shots)} screens written under {args.out}")
    return 1 if any(s.problems for s in shots) else 0
