"""Our validate side by side with a bare FastAPI JSON endpoint, on the same uvicorn, in one run.

For each database (SQLite, and PostgreSQL on a throw-away cluster when its binaries exist) this script:

1. creates the schema and seeds one product, one policy and ``--clients`` customers, each with an
   organisation and a licence;
2. starts two servers with identical uvicorn settings (one process and event loop each, or ``--workers N``
   processes each; 127.0.0.1, no access log): the bare app (``POST /bare`` parses the same JSON body with
   pydantic and answers a small JSON object from a sync handler) and the licence server;
3. signs every customer in and activates one machine each over HTTP, then drives
   ``POST /api/v1/licences/{id}/validate`` (the customers in turn, so rows are not all the same) and
   ``POST /bare`` at 1, 10 and 50 concurrent connections for ``--seconds`` each;
4. prints req/s, p50 and p99 of both, and the ratio validate/bare.

The load comes from ``wrk`` when it is installed (``apt-get install wrk``), else from a small bounded
Python generator (threads with one ``requests.Session`` each; on two cores it is slower than the bare
endpoint, so the ratios it gives are too kind). Traffic goes to 127.0.0.1 only, every phase is bounded in time.

To measure other code (say, the code before a change), put its ``server`` and ``licence_protocol``
packages first on ``PYTHONPATH``: both server processes and the seeding use whatever ``import server`` finds.

Usage: python benchmarks/server_vs_bare.py [--database sqlite|postgres|both] [--seconds S]
                                           [--concurrency 1,10,50] [--clients N] [--python-load] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.append(str(REPO))  # appended: a PYTHONPATH given by the caller decides which server is measured

import requests  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from tests.support.postgres import bench_database  # noqa: E402

PASSWORD = "Bench#2025pw"
HOST = "127.0.0.1"


# ------------------------------------------------------------------------------------------------ servers


class BareBody(BaseModel):
    """The validate body's shape. At module level: FastAPI resolves the handler's (postponed) annotations in
    the module's namespace, where a class local to ``bare_app`` is not found (the body became a missing query
    parameter, and every bare request a 422)."""

    fingerprint: str
    components: dict[str, str]
    nonce: str | None = None


def bare_app() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bare")
    def bare(body: BareBody) -> dict[str, Any]:
        return {"fingerprint": body.fingerprint, "nonce": body.nonce, "ok": True}

    return app


def licence_app(data_dir: str, database_url: str) -> Any:
    from server.app import create_app, settle_for_serving
    from server.clock import Clock
    from server.config import Settings
    from server.context import ServerContext

    settings = Settings(data_dir=Path(data_dir), database_url=database_url, trust_forwarded_for=True)
    app = create_app(ServerContext.create(settings, Clock()))
    settle_for_serving()  # as ``python -m server run`` does
    return app


def serve(kind: str, port: int, data_dir: str, database_url: str, workers: int) -> None:
    """Child process: one uvicorn, the same settings for both apps."""
    import uvicorn

    if workers == 1:
        app = bare_app() if kind == "bare" else licence_app(data_dir, database_url)
        uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)
        return
    # Worker processes import the app by name, as ``python -m server run --workers N`` starts them.
    os.environ.update(LP_DATA_DIR=data_dir, LP_DATABASE_URL=database_url, LP_TRUST_FORWARDED_FOR="true")
    target = "server_vs_bare:bare_app" if kind == "bare" else "server.asgi:create_app_from_environment"
    uvicorn.run(
        target,
        factory=True,
        workers=workers,
        app_dir=str(Path(__file__).parent),
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
    )


def uvicorn_flavour() -> str:
    """What uvicorn picks when told "auto" (the default), for both servers alike: its C HTTP parser and event
    loop when installed (``pip install uvicorn[standard]``), else pure Python h11 and asyncio."""
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http} and {loop}"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU the server process and its worker processes have used so far (Linux /proc)."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # a process that ended meanwhile
                continue
            if stat.parent.name == str(self.pid) or fields[1] == str(self.pid):  # the server, or its child
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def server_process(kind: str, data_dir: Path, database_url: str, workers: int = 1) -> Iterator[Served]:
    port = free_port()
    cmd = [sys.executable, __file__, "--serve", kind, "--port", str(port), "--data-dir", str(data_dir)]
    cmd += ["--workers", str(workers)]
    proc = subprocess.Popen([*cmd, "--database-url", database_url])
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{kind} server did not start")
            time.sleep(0.1)
        yield Served(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# ------------------------------------------------------------------------------------------------ seeding


@dataclass(frozen=True)
class Target:
    """One customer's validate call: path, bearer token and JSON body."""

    path: str
    token: str
    body: str


def seed(database_url: str, clients: int) -> list[tuple[str, Any]]:
    """A product, a policy, and per customer an account, an organisation and one licence."""
    from server.clock import Clock
    from server.db import make_engine, make_session_factory, session_scope, upgrade_to_head
    from server.services import admin

    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    now = Clock().now()
    out = []
    try:
        with session_scope(make_session_factory(engine)) as s:
            product = admin.create_product(s, code="KJH-STD", name="e会计 标准版", version="5.0")
            policy = admin.create_policy(
                s, product=product, code="std", name="标准版", edition="standard", max_machines=5, duration_days=365
            )
            for n in range(clients):
                account = admin.create_account(s, login=f"1391000{n:04d}", password=PASSWORD, now=now)
                org = admin.create_organisation(
                    s, account=account, name=f"压测{n}有限公司", tax_id=f"91310000MA2B{n:06d}", now=now
                )
                (key,) = admin.issue_licences(s, policy=policy, count=1, now=now)
                out.append((account.login, (org.id, key)))
    finally:
        engine.dispose()
    return out


def activate_all(url: str, customers: list[tuple[str, Any]]) -> list[Target]:
    from tests.support.licensing import machine

    http = requests.Session()
    http.trust_env = False
    targets = []
    for n, (login, (org_id, key)) in enumerate(customers):
        office = {"X-Forwarded-For": f"127.20.{n // 250}.{n % 250 + 1}"}  # one office each: no login limit
        r = http.post(f"{url}/api/v1/auth/login", json={"login": login, "password": PASSWORD}, headers=office)
        r.raise_for_status()
        token = r.json()["access_token"]
        fields = machine(n)
        body = {"serial": key.serial, "cdkey": key.cdkey, "org_id": org_id, **fields}
        auth = {"Authorization": f"Bearer {token}", **office}
        r = http.post(f"{url}/api/v1/activations", json=body, headers=auth, timeout=30)
        r.raise_for_status()
        validate = {"fingerprint": fields["fingerprint"], "components": fields["components"]}
        validate["nonce"] = secrets.token_urlsafe(16)
        targets.append(Target(f"/api/v1/licences/{key.licence_id}/validate", token, json.dumps(validate)))
    return targets


# ------------------------------------------------------------------------------------------------ load


@dataclass(frozen=True)
class Figures:
    rate: float
    p50_ms: float
    p99_ms: float
    failed: int  # non-2xx answers and socket errors
    requests: int = 0


WRK_SCRIPT = """
local targets = %s
local counter = 0
setup = function(thread)
  thread:set("offset", counter)
  counter = counter + 7
end
local i = 0
request = function()
  i = i + 1
  local t = targets[((i + (offset or 0)) %% #targets) + 1]
  local path = t[1]
  if "%s" ~= "" then path = "%s" end
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
                                   ["Authorization"] = "Bearer " .. t[2]}, t[3])
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(url: str, path: str, targets: list[Target], connections: int, seconds: float, tmp: Path) -> Figures:
    rows = ",".join(f"{{{_lua_string(t.path)},{_lua_string(t.token)},{_lua_string(t.body)}}}" for t in targets)
    override = path if path != "validate" else ""
    script = tmp / f"load-{secrets.token_hex(4)}.lua"
    script.write_text(WRK_SCRIPT % ("{" + rows + "}", override, override))
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency"]
    out = subprocess.run([*cmd, "-s", str(script), url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed += sum(int(n) for n in errors.groups()) if errors else 0
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Figures(rate, p50, p99, failed, total)


def load_python(url: str, path: str, targets: list[Target], connections: int, seconds: float, _tmp: Path) -> Figures:
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(k: int) -> None:
        http = requests.Session()
        http.trust_env = False
        n = k
        while time.monotonic() < deadline:
            t = targets[n % len(targets)]
            n += connections
            headers = {"Authorization": f"Bearer {t.token}", "Content-Type": "application/json"}
            start = time.perf_counter()
            try:
                ok = http.post(
                    url + (t.path if path == "validate" else path), data=t.body, headers=headers, timeout=10
                ).ok
            except requests.RequestException:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - start)
                failed[0] += 0 if ok else 1

    workers = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    ordered = sorted(latencies) or [math.nan]

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000

    rate = len(latencies) / (time.perf_counter() - began)
    return Figures(rate, pct(0.5), pct(0.99), failed[0], len(latencies))


# ------------------------------------------------------------------------------------------------ run


def bench(kind: str, args: argparse.Namespace) -> None:
    load = load_python if args.python_load or not shutil.which("wrk") else load_wrk
    with tempfile.TemporaryDirectory(prefix="lp-vs-bare-") as tmp_name, bench_database(kind, Path(tmp_name)) as url:
        tmp = Path(tmp_name)
        customers = seed(url, args.clients)
        with server_process("licence", tmp / "server-data", url, args.workers) as ours:
            targets = activate_all(ours.url, customers)
            with server_process("bare", tmp / "bare-data", url, args.workers) as bare:
                by = load.__name__.removeprefix("load_")
                per = f"{args.workers} worker processes each" if args.workers > 1 else "one process each"
                print(f"\n== {kind}: {len(targets)} customers, {args.seconds:g} s per cell, load by {by}, {per} ==")
                header = f"{'conc':>5}{'bare req/s':>12}{'p50':>8}{'p99':>8}{'cpu ms':>8}"
                header += f"{'validate req/s':>16}{'p50':>8}{'p99':>8}{'cpu ms':>8}"
                print(header + f"{'ratio':>8}{'failed':>8}")
                for connections in args.concurrency:
                    b, b_cpu = measured(bare, load, "/bare", targets, connections, args.seconds, tmp)
                    if b.failed:  # a bare endpoint that answers errors measures nothing worth comparing
                        raise RuntimeError(f"the bare endpoint failed {b.failed} of {b.requests} requests")
                    v, v_cpu = measured(ours, load, "validate", targets, connections, args.seconds, tmp)
                    print(
                        f"{connections:>5}{b.rate:>12.0f}{b.p50_ms:>8.1f}{b.p99_ms:>8.1f}{b_cpu:>8.2f}"
                        f"{v.rate:>16.0f}{v.p50_ms:>8.1f}{v.p99_ms:>8.1f}{v_cpu:>8.2f}"
                        f"{v.rate / b.rate:>8.3f}{v.failed:>8}"
                    )


def measured(server: Served, load: Callable[..., Figures], *args: Any) -> tuple[Figures, float]:
    """The load's figures and the server's CPU milliseconds per answered request (its whole process)."""
    before = server.cpu_seconds()
    figures = load(server.url, *args)
    spent = server.cpu_seconds() - before
    return figures, spent * 1000 / max(1, figures.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", default="1,10,50")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes for both servers")
    parser.add_argument("--serve", choices=("bare", "licence"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.data_dir, args.database_url, args.workers)
        return
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    import server

    print(f"server code: {Path(server.__file__).parent}; {os.cpu_count()} CPUs; uvicorn with {uvicorn_flavour()}")
    kinds = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    for kind in kinds:
        bench(kind, args)


if __name__ == "__main__":
    main()
