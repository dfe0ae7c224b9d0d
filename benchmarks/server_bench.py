"""Throughput and latency of the licence server's busiest endpoints, over real HTTP on loopback.

Starts the real server in this process (``EmbeddedServer``, uvicorn on 127.0.0.1) on SQLite and, when
the PostgreSQL binaries exist, on a throw-away PostgreSQL cluster; seeds a product, a policy, one
account + organisation + ledger per client thread and enough licences; then runs one phase per
operation, each a bounded number of requests spread over a few client threads (one
``requests.Session`` each), in the order a customer meets them:

  login      POST /api/v1/auth/login                     (argon2id password check, two tokens issued)
  activate   POST /api/v1/activations                    (a distinct machine each time, signed document)
  validate   POST /api/v1/licences/{id}/validate         (re-authentication with a fresh nonce)
  machines   GET  /api/v1/licences/{id}/machines
  catalogue  GET  /api/v1/catalogue?licence_id&ledger_id&fiscal_year
  order      POST /api/v1/orders                         (one voucher pack, with its sandbox payment)

Prints per operation: requests, errors, throughput (req/s over the phase's wall time) and p50/p95/p99
latency in ms as the client saw it; and this process's RSS (server + client threads) before and after.

``--tcp-nodelay`` hands the embedded server a listening socket made with ``proto=IPPROTO_TCP``. As
shipped, ``EmbeddedServer`` binds ``socket.socket(AF_INET, SOCK_STREAM)`` (proto 0), and asyncio sets
TCP_NODELAY on accepted connections only when ``sock.proto == IPPROTO_TCP``: every answer on a kept-alive
connection then waits ~40 ms (Nagle vs. the client's delayed ACK). The flag shows the server's own cost
without that stall; the default measures the embedded server exactly as the demo and the tests run it.

Every phase stops at ``--requests`` or ``--max-seconds``, whichever comes first; traffic goes to
127.0.0.1 only. Logins carry ``X-Forwarded-For: 127.x.y.z`` (the server is started with
``trust_forwarded_for``) so the per-IP login limit (30 per 10 minutes) does not turn the phase into a
benchmark of 429 answers: each login looks like a different office, as on a real server.

Usage: python benchmarks/server_bench.py [--requests N] [--logins N] [--threads T]
                                        [--database sqlite|postgres|both] [--max-seconds S] [--tcp-nodelay]
"""

from __future__ import annotations

import argparse
import math
import resource
import secrets
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

from server.clock import Clock  # noqa: E402
from server.config import Settings  # noqa: E402
from server.context import ServerContext  # noqa: E402
from server.db import upgrade_to_head  # noqa: E402
from server.embedded import EmbeddedServer  # noqa: E402
from server.services import admin  # noqa: E402
from server.services.keys import mask_serial  # noqa: E402
from server.services.passwords import hash_password, verify_password  # noqa: E402
from tests.support.licensing import machine  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.postgres import bench_database  # noqa: E402

PASSWORD = "Bench#2025pw"
SEATS = 10  # machines per licence; below the server's churn limit (20 per licence per 30 days)
FISCAL_YEAR = 2025
OPERATIONS = ("login", "activate", "validate", "machines", "catalogue", "order")


# ------------------------------------------------------------------------------------------------ memory


def rss_mb() -> float:
    """Current resident set size of this process (Linux /proc; falls back to the peak elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def argon2_ms() -> float:
    """The floor of a login: one password verification with the server's hasher settings."""
    stored = hash_password(PASSWORD)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        verify_password(stored, PASSWORD)
        times.append(time.perf_counter() - start)
    return sorted(times)[2] * 1000


# ------------------------------------------------------------------------------------------------ seeding


@dataclass
class Client:
    """One client thread's customer: its account, organisation, ledger, licences and machines."""

    index: int
    login: str
    org_id: int
    ledger_id: int
    keys: list[admin.IssuedKey]
    http: requests.Session
    token: str = ""
    activated: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (licence id, machine fields)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def seed(live: LiveServer, threads: int, activations_per_thread: int) -> list[Client]:
    """Product, policy, and per thread: an account, an organisation with one ledger, enough licences."""
    licences_each = max(1, math.ceil(activations_per_thread / SEATS))
    now = live.clock.now()
    clients = []
    with live.session() as s:
        product = admin.create_product(s, code="KJH-STD", name="e会计 标准版", version="5.0")
        policy = admin.create_policy(
            s,
            product=product,
            code="std10",
            name="标准版 10 台",
            edition="standard",
            max_machines=SEATS,
            duration_days=365,
        )
        for t in range(threads):
            login = f"1390000{t:04d}"
            account = admin.create_account(s, login=login, password=PASSWORD, now=now)
            org = admin.create_organisation(
                s, account=account, name=f"压测科技{t}有限公司", tax_id=f"91310000MA1B{t:06d}", now=now
            )
            ledger = admin.create_ledger(s, organisation=org, code="A", name="账套A", now=now, years={FISCAL_YEAR: 0})
            keys = admin.issue_licences(s, policy=policy, count=licences_each, now=now)
            clients.append(Client(t, login, org.id, ledger.id, keys, live.http()))
    return clients


# ------------------------------------------------------------------------------------------------ phases


@dataclass
class PhaseResult:
    name: str
    latencies: list[float]
    errors: list[str]
    wall: float

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))] * 1000


# One request of an operation: given the client and its k-th request, send it; answer the response
# and the status code that means success.
Request = Callable[[Client, int], tuple[requests.Response, int]]


def run_phase(name: str, clients: list[Client], total: int, max_seconds: float, send: Request) -> PhaseResult:
    """``total`` requests split over the clients' threads, stopping early at ``max_seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    share = [total // len(clients) + (1 if i < total % len(clients) else 0) for i in range(len(clients))]

    def worker(client: Client, count: int) -> None:
        for k in range(count):
            if time.monotonic() > deadline:
                return
            start = time.perf_counter()
            try:
                response, expected = send(client, k)
                elapsed = time.perf_counter() - start
                problem = None if response.status_code == expected else f"{response.status_code} {response.text[:120]}"
            except requests.RequestException as exc:
                elapsed, problem = time.perf_counter() - start, type(exc).__name__
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    workers = [threading.Thread(target=worker, args=(c, n)) for c, n in zip(clients, share, strict=True)]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return PhaseResult(name, latencies, errors, time.perf_counter() - began)


def operations(live: LiveServer) -> dict[str, Request]:
    api = f"{live.url}/api/v1"

    def login(c: Client, k: int) -> tuple[requests.Response, int]:
        # A loopback address per attempt: many offices signing in, not one IP hammering the login limit.
        n = c.index * 100_000 + k
        office = f"127.{n // 62500 % 250 + 1}.{n // 250 % 250}.{n % 250 + 1}"
        r = c.http.post(
            f"{api}/auth/login",
            json={"login": c.login, "password": PASSWORD},
            headers={"X-Forwarded-For": office},
            timeout=30,
        )
        if r.status_code == 200:
            c.token = r.json()["access_token"]
        return r, 200

    def activate(c: Client, k: int) -> tuple[requests.Response, int]:
        key = c.keys[k // SEATS]
        fields = machine(c.index * 100_000 + k)
        body = {"serial": key.serial, "cdkey": key.cdkey, "org_id": c.org_id, **fields}
        r = c.http.post(f"{api}/activations", json=body, headers=c.headers, timeout=30)
        if r.status_code == 200:
            c.activated.append((key.licence_id, fields))
        return r, 200

    def validate(c: Client, k: int) -> tuple[requests.Response, int]:
        licence_id, fields = c.activated[k % len(c.activated)]
        body = {
            "fingerprint": fields["fingerprint"],
            "components": fields["components"],
            "nonce": secrets.token_urlsafe(16),
        }
        return c.http.post(f"{api}/licences/{licence_id}/validate", json=body, headers=c.headers, timeout=30), 200

    def machines(c: Client, k: int) -> tuple[requests.Response, int]:
        licence_id = c.activated[k % len(c.activated)][0]
        return c.http.get(f"{api}/licences/{licence_id}/machines", headers=c.headers, timeout=30), 200

    def catalogue(c: Client, k: int) -> tuple[requests.Response, int]:
        licence_id = c.activated[k % len(c.activated)][0]
        params = {"licence_id": licence_id, "ledger_id": c.ledger_id, "fiscal_year": FISCAL_YEAR}
        return c.http.get(f"{api}/catalogue", params=params, headers=c.headers, timeout=30), 200

    def order(c: Client, k: int) -> tuple[requests.Response, int]:
        licence_id = c.activated[k % len(c.activated)][0]
        item = {"sku": "vouchers_100", "ledger_id": c.ledger_id, "fiscal_year": FISCAL_YEAR, "quantity": 1}
        body = {"licence_id": licence_id, "items": [item]}
        return c.http.post(f"{api}/orders", json=body, headers=c.headers, timeout=30), 201

    return {
        "login": login,
        "activate": activate,
        "validate": validate,
        "machines": machines,
        "catalogue": catalogue,
        "order": order,
    }


# ------------------------------------------------------------------------------------------------ databases


def postgres_available() -> bool:
    from tests.support.postgres import _find_bin

    return bool(_find_bin("initdb") and _find_bin("pg_ctl"))


def start_server(data_dir: Path, url: str, *, nodelay: bool) -> LiveServer:
    """As tests/support/live.py does; ``nodelay`` swaps in a listening socket whose accepted connections get NODELAY."""
    settings = Settings(data_dir=data_dir, database_url=url, trust_forwarded_for=True)
    upgrade_to_head(settings.resolved_database_url())
    server = EmbeddedServer(ServerContext.create(settings, Clock()))
    if nodelay:
        # Same bound descriptor, declared as TCP: asyncio's _set_nodelay() then applies to each accepted socket.
        # Benchmark-only probe of the fix (see the module docstring); the server's code is left as it is.
        bound = server._sock
        server._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, fileno=bound.detach())
    return LiveServer(server.start())


def bench(kind: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="lp-bench-") as tmp, bench_database(kind, Path(tmp)) as url:
        live = start_server(Path(tmp) / "server-data", url, nodelay=args.tcp_nodelay)
        try:
            per_thread = math.ceil(args.requests / args.threads)
            clients = seed(live, args.threads, per_thread)
            licences = sum(len(c.keys) for c in clients)
            rss_before = rss_mb()
            print(
                f"\n== {kind}: {args.threads} client threads, up to {args.requests} requests per operation, "
                f"{licences} licences of {SEATS} seats (e.g. {mask_serial(clients[0].keys[0].serial)}) =="
            )
            print(f"{'operation':<11}{'ok':>6}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
            sends = operations(live)
            for name in OPERATIONS:
                if name not in ("login", "activate") and not all(c.activated for c in clients):
                    print(f"{name:<11}skipped: no activated machine to use")
                    continue
                total = args.logins if name == "login" else args.requests
                result = run_phase(name, clients, total, args.max_seconds, sends[name])
                ok = len(result.latencies) - len(result.errors)
                rate = len(result.latencies) / result.wall if result.wall else math.nan
                print(
                    f"{name:<11}{ok:>6}{len(result.errors):>8}{rate:>9.1f}"
                    f"{result.percentile(50):>9.1f}{result.percentile(95):>9.1f}{result.percentile(99):>9.1f}"
                )
                for problem in sorted(set(result.errors))[:3]:
                    print(f"           e.g. {problem}")
            print(
                f"RSS of this process (server + client threads): {rss_before:.0f} MB after seeding, "
                f"{rss_mb():.0f} MB after the run, peak {peak_rss_mb():.0f} MB"
            )
        finally:
            live.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests per operation (default 200)")
    parser.add_argument(
        "--logins", type=int, default=None, help="login requests (default: --requests, at most 40: argon2id by design)"
    )
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time bound per operation (default 20)")
    parser.add_argument("--tcp-nodelay", action="store_true", help="probe the TCP_NODELAY fix (see above)")
    args = parser.parse_args()
    if args.logins is None:
        args.logins = min(args.requests, 40)
    if args.requests < 1 or args.threads < 1 or args.logins < 1:
        parser.error("--requests, --logins and --threads must be at least 1")
    args.threads = min(args.threads, args.requests, args.logins)
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    started = time.perf_counter()
    print(f"python {sys.version.split()[0]}, RSS at start {rss_mb():.0f} MB (interpreter + server modules)")
    print(f"reference: one argon2id password check alone takes {argon2_ms():.0f} ms here (median of 5)")
    print("TCP_NODELAY on accepted connections: " + ("on (--tcp-nodelay)" if args.tcp_nodelay else "as shipped (off)"))
    for kind in kinds:
        if kind == "postgres" and not postgres_available():
            print("\n== postgres: skipped, initdb/pg_ctl not found ==")
            continue
        bench(kind, args)
    print(f"\ntotal wall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
