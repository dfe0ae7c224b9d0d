"""Wall time of the offline `python -m app status --json` against the floor of any Python licence check.

Runs each command N times in fresh processes and prints the median and spread (no hyperfine needed):

- ``python -c pass``                       interpreter start-up alone;
- ``python -c "<verify one Ed25519 signature>"``  the least a signature-checking CLI can cost;
- ``python -m app --data-dir D --demo status --json``  the real command, on a valid cached document.

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
        }
        for command in commands.values():  # warm the OS file cache and the .pyc files once
            time_runs(command, 1)
        medians = {}
        print(f"{'command':<32}{'median ms':>10}{'min ms':>9}{'max ms':>9}   ({args.runs} runs each)")
        for name, command in commands.items():
            times = time_runs(command, args.runs)
            medians[name] = statistics.median(times)
            print(f"{name:<32}{medians[name] * 1000:>10.1f}{min(times) * 1000:>9.1f}{max(times) * 1000:>9.1f}")
        overhead = medians["app status --json"] - medians["verify one Ed25519 signature"]
        ratio = medians["app status --json"] / medians["verify one Ed25519 signature"]
        print(f"status costs {overhead * 1000:.1f} ms more than the signature baseline ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
