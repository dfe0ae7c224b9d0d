"""The panel's first paint loads no HTTP or keyring library: they load with the background start-up check.

Checked in a fresh interpreter (``sys.modules`` of this test process holds whatever earlier tests imported), on the
real start-up path (``start_gui``) over a data dir holding a valid licence for this machine, nobody signed in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services.fingerprint import SystemFingerprint
from app.services.paths import AppPaths
from app.services.settings import ClientSettings, save_settings
from tests.support.documents import Signer, payload, write_cache
from tests.support.http_stubs import dead_url

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
LOADED_LATER = ("requests", "urllib3", "keyring")

# The paint is recorded by an application-wide event filter, which Qt calls before the window's own filters (the
# one that lets the start-up check go on): what is loaded then is what building, showing and painting loaded.
PANEL_CHILD = """
import argparse, json, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow
from app.services.paths import AppPaths
from app.ui.launch import start_gui

WATCHED = {watched!r}
data_dir, server = sys.argv[1:3]
app = QApplication(sys.argv[:1])
painted = {{}}

class PaintWatch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow) and "loaded" not in painted:
            painted["loaded"] = sorted(name for name in WATCHED if name in sys.modules)
        return False

watch = PaintWatch()
app.installEventFilter(watch)
paths = AppPaths.from_data_dir(data_dir)
args = argparse.Namespace(demo=True, lang="en", data_dir=data_dir, server=server, paths=paths)
panel = start_gui(args)
window = panel.window
first_state = window.status.code
deadline = time.monotonic() + 60
while "loaded" not in painted and time.monotonic() < deadline:
    app.processEvents()
while window.ops and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.005)
print(json.dumps({{
    "first_state": first_state,
    "at_paint": painted.get("loaded"),
    "after_check": sorted(name for name in WATCHED if name in sys.modules),
    "settled": not window.ops,
    "state": window.status.code,
}}), flush=True)
window.close()
panel.stop()
"""


def activated_data_dir(data_dir: Path) -> None:
    """A valid document for this machine, signed by a key trusted as ``--demo`` trusts its key; nobody signed in."""
    signer = Signer()
    components = SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()
    paths = write_cache(data_dir, signer.sign(payload(components)), last_online_check=datetime.now(UTC))
    signer.trust_in(paths)
    save_settings(paths, ClientSettings(offline_activated=True))  # activated by file exchange


def test_the_first_paint_imports_no_http_or_keyring_library_the_start_up_check_does(tmp_path: Path) -> None:
    activated_data_dir(tmp_path)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",  # never the developer's keyring
    }
    done = subprocess.run(
        [sys.executable, "-c", PANEL_CHILD.format(watched=LOADED_LATER), str(tmp_path), dead_url()],
        cwd=REPO,
        env=env,
        capture_output=True,
        encoding="utf-8",  # not the ANSI code page Windows Python would decode with
        errors="replace",
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stderr[-2000:]
    seen = json.loads(lines[-1])

    assert seen["first_state"] == "ACTIVE"  # the cached licence is what the first paint shows
    assert seen["at_paint"] == []
    # Loaded on first use, by the background check: its refused HTTP call and the keyring it opened.
    assert seen["settled"] and seen["after_check"] == sorted(LOADED_LATER)
    assert seen["state"] == "ACTIVE"  # an unreachable server leaves the cached licence as it is
