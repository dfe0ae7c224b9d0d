"""Wall time of the offline `python -m app status --json` and `check --json` against the floor of any Python
licence check.

Runs each command N times in fresh processes, in turn, and prints the median and spread (no hyperfine needed):

- ``python -c pass``                       interpreter start-up alone;
- ``python -c "<verify one Ed25519 signature>"``  the least a signature-checking CLI can cost;
- ``python -m app --data-dir D --demo status --json``  the real command, on a valid cached document;
- ``python -m app --data-dir D --demo check --module period_close --ledger 2 --year 2025 --json``  what a host
  program runs before a guarded action: the same reading plus the voucher journal (one pending entry).

Usage: python benchmarks/status_bench.py [-n RUNS]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VERIFY_ONE = """
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
key = Ed25519PrivateKey.generate()
signature = key.sign(b"licence-document/v1/{}")
key.public_key().verify(signature, b"licence-document/v1/{}")
"""


def prepare(data_dir: Path) -> None:
    """A valid document for this machine, signed by a key the --demo run trusts."""
    from app.services.fingerprint import SystemFingerprint
    from app.services.paths import AppPaths
    from tests.support.documents import Signer, payload, write_cache

    signer = Signer()
    components = SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()
    paths = write_cache(data_dir, signer.sign(payload(components)), last_online_check=datetime.now(UTC))
    signer.trust_in(paths)
    # A voucher posted offline and not reported yet: `check` reads the journal as well.
    from app.services.voucher_journal import JournalEntry, VoucherJournal

    VoucherJournal.of(paths).record(JournalEntry("bench-1", 7, 2, 2025, 1, datetime.now(UTC)), allowance=1)


def time_runs(command: list[str], runs: int, expect: int = 0) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, capture_output=True)
        times.append(time.perf_counter() - start)
        if result.returncode != expect:
            raise SystemExit(f"{command} exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "client"
        prepare(data_dir)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "verify one Ed25519 signature": [sys.executable, "-c", VERIFY_ONE],
            "app status --json": [
                sys.executable,
                "-m",
                "app",
                "--data-dir",
                str(data_dir),
                "--demo",
                "status",
                "--json",
            ],
            "app check --json": [
                sys.executable,
                "-m",
                "app",
                "--data-dir",
                str(data_dir),
                "--demo",
                "check",
                "--module",
                "period_close",
                "--ledger",
                "2",
                "--year",
                "2025",
                "--json",
            ],
        }
        for command in commands.values():  # warm the OS file cache and the .pyc files once
            time_runs(command, 1)
        # Round robin, one run of each command in turn: a load that changes during the run (a busy machine) weighs
        # on every command alike instead of on whichever ran last.
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name] += time_runs(command, 1)
        medians = {}
        print(f"{'command':<32}{'median ms':>10}{'min ms':>9}{'max ms':>9}   ({args.runs} runs each, interleaved)")
        for name, runs in times.items():
            medians[name] = statistics.median(runs)
            print(f"{name:<32}{medians[name] * 1000:>10.1f}{min(runs) * 1000:>9.1f}{max(runs) * 1000:>9.1f}")
        floor = medians["verify one Ed25519 signature"]
        for name in ("status", "check"):
            median = medians[f"app {name} --json"]
            extra = (median - floor) * 1000
            print(f"{name} costs {extra:.1f} ms more than the signature baseline ({median / floor:.2f}x; goal <= 1.3x)")


if __name__ == "__main__":
    main()
