"""`python -m app [--ledger ID --year YYYY] purchase | renew | open`: arguments checked before Qt starts."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.ui.launch
from app import i18n
from app.cli import main


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    saved = i18n._current
    yield
    i18n._current = saved


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[argparse.Namespace]:
    """The panel's start replaced: what it would have been started with."""
    runs: list[argparse.Namespace] = []

    def run_gui(args: argparse.Namespace) -> int:
        runs.append(args)
        return 7

    monkeypatch.setattr(app.ui.launch, "run_gui", run_gui)
    return runs


@pytest.mark.parametrize(
    "argv",
    [
        ["--ledger", "2", "--year", "2025", "purchase"],
        ["purchase", "--ledger", "2", "--year", "2025"],
        ["--ledger", "2", "purchase", "--year", "2025"],
    ],
)
def test_purchase_opens_the_panel_with_the_host_ledger_year(argv, started, tmp_path: Path) -> None:
    assert main(["--data-dir", str(tmp_path), *argv]) == 7
    (args,) = started
    assert args.screen == "purchase" and args.ledger_year == (2, 2025)


@pytest.mark.parametrize(("argv", "screen"), [(["renew"], "renew"), (["open"], "open"), ([], None)])
def test_renew_open_and_no_command_open_the_panel(argv, screen, started, tmp_path: Path) -> None:
    assert main(["--data-dir", str(tmp_path), "--ledger", "5", "--year", "2024", *argv]) == 7
    (args,) = started
    assert getattr(args, "screen", None) == screen
    assert args.ledger_year == (5, 2024)  # remembered for 立即购买 whatever the screen


def test_without_a_ledger_year_the_panel_asks(started, tmp_path: Path) -> None:
    assert main(["--data-dir", str(tmp_path), "purchase"]) == 7
    assert started[0].ledger_year is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "2025", "purchase"], "--ledger and --year go together"),
        (["--ledger", "2", "purchase"], "--ledger and --year go together"),
        (["--ledger", "2"], "--ledger and --year go together"),
        (["renew", "--year", "2025"], "--ledger and --year go together"),
        (["--ledger", "0", "--year", "2025", "open"], "--ledger must be a ledger id"),
        (["--ledger", "2", "--year", "25", "purchase"], "--year must be a fiscal year from 1990 to 2200"),
    ],
)
def test_a_wrong_ledger_year_exits_2_with_a_message_and_no_window(argv, message, started, tmp_path, capsys) -> None:
    assert main(["--data-dir", str(tmp_path), "--lang", "en", *argv]) == 2
    assert started == []
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


def test_the_message_is_in_the_user_language(started, tmp_path: Path, capsys) -> None:
    assert main(["--data-dir", str(tmp_path), "--lang", "zh_CN", "--year", "2025", "purchase"]) == 2
    assert "--ledger 和 --year 需要同时给出" in capsys.readouterr().err
