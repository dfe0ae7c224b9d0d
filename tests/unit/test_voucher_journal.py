"""The offline voucher journal: append-only, durable, torn lines ignored, one record per key, reports appended."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.services.paths import AppPaths
from app.services.voucher_journal import KEEP_REPORTED_FOR, JournalEntry, VoucherJournal

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def entry(key: str, count: int = 1, *, ledger: int = 2, year: int = 2025, at: datetime = NOW) -> JournalEntry:
    return JournalEntry(key, 7, ledger, year, count, at)


@pytest.fixture
def journal(tmp_path: Path) -> VoucherJournal:
    return VoucherJournal.of(AppPaths.from_data_dir(tmp_path / "data"))


def test_an_empty_data_dir_has_an_empty_journal(journal: VoucherJournal) -> None:
    assert journal.entries() == [] and journal.pending() == []
    assert journal.offline_used(7, 2, 2025) == 0
    assert not journal.path.exists()  # reading creates nothing


def test_records_count_against_the_allowance_of_their_ledger_year(journal: VoucherJournal) -> None:
    assert journal.record(entry("v-1", 2), allowance=3).outcome == "recorded"
    assert journal.record(entry("v-2", 2), allowance=3).outcome == "refused"
    assert journal.record(entry("v-3", 1), allowance=3).outcome == "recorded"
    assert journal.record(entry("v-4", 1, year=2024), allowance=3).outcome == "recorded"  # another ledger-year
    assert journal.offline_used(7, 2, 2025) == 3
    assert journal.offline_used(7, 2, 2024) == 1
    assert [e.key for e in journal.pending()] == ["v-1", "v-3", "v-4"]
    assert len(journal.path.read_bytes().splitlines()) == 3  # the refusal wrote nothing


def test_the_same_key_is_never_recorded_twice(journal: VoucherJournal) -> None:
    assert journal.record(entry("v-1", 2), allowance=10).outcome == "recorded"
    again = journal.record(entry("v-1", 2), allowance=10)
    assert (again.outcome, again.offline_used) == ("duplicate", 2)
    assert journal.offline_used(7, 2, 2025) == 2
    assert len(journal.path.read_bytes().splitlines()) == 1
    # Once reported, the key is still known: a late retry of the host does not count again.
    journal.mark_reported(journal.pending()[0], "counted", NOW)
    assert journal.record(entry("v-1", 2), allowance=10).outcome == "duplicate"
    # The same key in another ledger-year is another voucher, as on the server.
    assert journal.record(entry("v-1", 2, year=2024), allowance=10).outcome == "recorded"


def test_a_hand_duplicated_line_counts_once(journal: VoucherJournal) -> None:
    journal.record(entry("v-1", 2), allowance=10)
    line = journal.path.read_bytes()
    journal.path.write_bytes(line + line)
    assert journal.offline_used(7, 2, 2025) == 2


def test_reports_are_appended_and_mark_entries(journal: VoucherJournal) -> None:
    journal.record(entry("v-1", 2), allowance=10)
    journal.record(entry("v-2", 1), allowance=10)
    before = journal.path.read_bytes()
    journal.mark_reported(journal.pending()[0], "counted", NOW + timedelta(minutes=5))

    after = journal.path.read_bytes()
    assert after.startswith(before)  # appended, never rewritten
    last = json.loads(after.splitlines()[-1])
    assert last["type"] == "reported" and last["key"] == "v-1" and last["outcome"] == "counted"
    assert [e.key for e in journal.pending()] == ["v-2"]
    assert journal.offline_used(7, 2, 2025) == 1
    reported = journal.entries()[0]
    assert reported.reported and reported.reported_at == NOW + timedelta(minutes=5)


def test_a_torn_last_line_is_ignored_and_cannot_swallow_the_next(journal: VoucherJournal) -> None:
    journal.record(entry("v-1", 2), allowance=10)
    with journal.path.open("ab") as f:  # a power cut in the middle of the second append
        f.write(b'{"type":"consumed","key":"v-2","licence_id":7,"ledger_id":2,"fisc')
    assert [e.key for e in journal.entries()] == ["v-1"]
    assert journal.offline_used(7, 2, 2025) == 2

    assert journal.record(entry("v-3", 1), allowance=10).outcome == "recorded"
    assert [e.key for e in journal.entries()] == ["v-1", "v-3"]
    assert journal.offline_used(7, 2, 2025) == 3


def test_lines_that_are_not_entries_are_skipped(journal: VoucherJournal) -> None:
    journal.record(entry("v-1", 2), allowance=10)
    with journal.path.open("ab") as f:
        f.write(b"garbage\n[1, 2]\n" + b'{"type":"consumed","key":"v-2","count":"two"}\n' + b"\xff\xfe\n")
        f.write(b'{"type":"reported","key":"nobody","ledger_id":2,"fiscal_year":2025,"outcome":"counted"}\n')
    journal.record(entry("v-3", 1), allowance=10)
    assert [e.key for e in journal.entries()] == ["v-1", "v-3"]


def test_compaction_keeps_what_is_pending_and_recent(journal: VoucherJournal) -> None:
    old = NOW - KEEP_REPORTED_FOR - timedelta(days=1)
    journal.record(entry("old", 1, at=old), allowance=10)
    journal.record(entry("recent", 1), allowance=10)
    journal.record(entry("pending", 1, at=old), allowance=10)
    old_entry, recent_entry, _ = journal.entries()
    journal.mark_reported(old_entry, "counted", old)
    journal.mark_reported(recent_entry, "already_counted", NOW)

    assert journal.compact(NOW) == 1
    entries = {e.key: e for e in journal.entries()}
    assert set(entries) == {"recent", "pending"}
    assert entries["recent"].outcome == "already_counted" and not entries["pending"].reported
    assert journal.record(entry("recent", 1), allowance=10).outcome == "duplicate"  # still known after compaction
    assert not list(journal.path.parent.glob("*.tmp"))


def test_threads_recording_at_once_never_exceed_the_allowance(journal: VoucherJournal) -> None:
    outcomes: list[str] = []

    def post(n: int) -> None:
        outcomes.append(journal.record(entry(f"t-{n}", 1), allowance=10).outcome)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("recorded") == 10 and outcomes.count("refused") == 15
    assert journal.offline_used(7, 2, 2025) == 10


# -- kill -9 while appending ------------------------------------------------------------------------------

WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from app.services.voucher_journal import JournalEntry, VoucherJournal

journal = VoucherJournal(Path(sys.argv[1]))
n = 0
while True:
    n += 1
    journal.record(JournalEntry(f"k-{n}", 7, 2, 2025, 1, datetime.now(UTC)), allowance=10**9)
    if n % 3 == 0:
        journal.mark_reported(journal.pending()[0], "counted", datetime.now(UTC))
    # Printed only once record() returned: the entry is on disk (fsync'd) by then.
    print(f"k-{n}", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_while_appending_loses_no_counted_entry(tmp_path: Path) -> None:
    path = tmp_path / "voucher-journal.jsonl"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert writer.stdout is not None
    confirmed: list[str] = []
    deadline = time.monotonic() + 30
    while len(confirmed) < 60 and time.monotonic() < deadline:  # let it append for a while, then kill mid-loop
        confirmed.append(writer.stdout.readline().decode().strip())
    os.kill(writer.pid, signal.SIGKILL)
    rest, stderr = writer.communicate(timeout=30)
    confirmed += [line for line in rest.decode().splitlines() if line.strip()]
    assert writer.returncode == -signal.SIGKILL, stderr.decode()[-2000:]
    assert len(confirmed) >= 60, stderr.decode()[-2000:]

    journal = VoucherJournal(path)
    keys = {e.key for e in journal.entries()}
    assert set(confirmed) <= keys  # every entry the writer confirmed is there
    assert len(keys) == len(journal.entries())  # each once
    reported = sum(1 for e in journal.entries() if e.reported)
    assert journal.offline_used(7, 2, 2025) == len(keys) - reported
    # And the journal still takes appends after the kill.
    assert journal.record(entry("after-kill", 1), allowance=10**9).outcome == "recorded"
    assert "after-kill" in {e.key for e in journal.entries()}
