"""``python -m server …``: run the server, vendor administration, demo data (docs/PROTOCOL.md, "Command line")."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from licence_protocol.dates import parse_iso
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from server.config import Settings
from server.errors import ApiError

if TYPE_CHECKING:  # the commands import these when they run; here they only name types
    from server.models import Licence, Policy, Product
    from server.signing import KeyStore

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A problem the operator can fix (unknown product, bad date…): one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    """Reports usage errors by raising, so ``main`` returns 2 instead of exiting the caller's process."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{self.prog}: {message}")


DEMO_HELP = """\
Seeds the demo data (one licence per state a newcomer should reach) and prints the logins and, per
scenario, its serial and CDkey.

Re-running on an already seeded database is safe and prints a FRESH set of scenario licences:
accounts, organisations, ledgers and products are reused and reset (passwords, lock-outs, archived
demo ledgers); every scenario licence is issued anew, so the keys printed last always work (licences
of earlier runs stay, in whatever state they were left). The service accountant's customers keep
their one licence each, reset to its seeded expiry and given a new CDkey. CDkeys are stored only as
hashes: keys are shown once, by the run that made them.
"""


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None) -> int:
    # A console on another code page (cp1252 on English Windows) prints '?' for what it lacks instead of crashing.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args.stdin = stdin or sys.stdin
    try:
        return handler(args)
    except (CliError, ApiError) as exc:
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        # The driver's first line says what went wrong; the URL is printed without its password.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"error: database {_safe_url(args)}: {reason}", file=sys.stderr)
        return EXIT_FAILURE


# --- parser -------------------------------------------------------------------------------------


def _storage_options(suppress: bool) -> _Parser:
    """--database-url/--data-dir, accepted before or after the subcommand (SUPPRESS keeps the outer value)."""
    default = argparse.SUPPRESS if suppress else None
    p = _Parser(add_help=False)
    p.add_argument("--database-url", default=default, help="SQLAlchemy URL (default: SQLite file in the data dir)")
    p.add_argument("--data-dir", type=Path, default=default, help="server data dir (database, signing keys)")
    return p


def build_parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m server", description="Reference licence server.")
    commands = top.add_subparsers(title="commands", metavar="{run,admin,demo-data}", dest="command", required=True)
    outer, inner = _storage_options(False), _storage_options(True)

    run = commands.add_parser("run", parents=[outer], help="upgrade the schema and serve the HTTP API")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8765)
    run.add_argument(
        "--workers", type=_positive, default=1, help="worker processes sharing the port (PostgreSQL for more than 1)"
    )
    run.add_argument(
        "--require-key",
        action="store_true",
        help="refuse to start without an active signing key (a fleet member must not make its own)",
    )
    run.set_defaults(handler=cmd_run)

    demo = commands.add_parser(
        "demo-data",
        parents=[outer],
        help="seed the demo data: logins, organisations, ledgers, one licence per state",
        description=DEMO_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--json", action="store_true", help="print logins and scenarios as JSON")
    demo.set_defaults(handler=cmd_demo_data)

    admin = commands.add_parser("admin", parents=[outer], help="vendor operations")
    areas = admin.add_subparsers(title="areas", metavar="AREA", dest="area", required=True)
    _add_product(areas, inner)
    _add_policy(areas, inner)
    _add_licence(areas, inner)
    _add_addon(areas, inner)
    _add_machines(areas, inner)
    _add_keys(areas, inner)
    _add_account(areas, inner)
    ann = areas.add_parser("announce", parents=[inner], help="publish an announcement or a maintenance window")
    ann.add_argument("--title", required=True)
    ann.add_argument("--body", default="")
    ann.add_argument("--maintenance", action="store_true", help="every API call answers 503 MAINTENANCE meanwhile")
    ann.add_argument("--starts", type=_iso_datetime, help="ISO 8601 (default: now)")
    ann.add_argument("--ends", type=_iso_datetime, help="ISO 8601; required with --maintenance")
    ann.set_defaults(handler=cmd_announce)
    return top


def _leaf(sub: Any, name: str, inner: argparse.ArgumentParser, handler: Callable[..., int], help: str) -> Any:
    p = sub.add_parser(name, parents=[inner], help=help)
    p.set_defaults(handler=handler)
    return p


def _add_product(areas: Any, inner: argparse.ArgumentParser) -> None:
    sub = areas.add_parser("product", help="products").add_subparsers(metavar="ACTION", dest="action", required=True)
    p = _leaf(sub, "create", inner, cmd_product_create, "create a product (kept if the code exists)")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--version", default="")
    _leaf(sub, "list", inner, cmd_product_list, "list products and their policies")


def _add_policy(areas: Any, inner: argparse.ArgumentParser) -> None:
    sub = areas.add_parser("policy", help="editions and their rules").add_subparsers(
        metavar="ACTION", dest="action", required=True
    )
    p = _leaf(sub, "create", inner, cmd_policy_create, "create a policy of a product")
    p.add_argument("--product", required=True, help="product code")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--edition", required=True, choices=["free", "standard", "cloud"])
    p.add_argument("--seats", type=_positive, default=1, help="machines at once")
    p.add_argument("--activation-limit", type=_positive, help="lifetime activations (free edition)")
    p.add_argument("--one-account-per-ip", action="store_true", help="free edition: one account per public IP")
    p.add_argument("--duration-days", type=_positive, help="subscription length; omit for perpetual")
    p.add_argument("--ledgers", type=_positive, default=1, help="ledgers (账套) included")
    p.add_argument(
        "--voucher-quota", type=_positive, help="vouchers per ledger-year (default: 100 paid editions, 50 free)"
    )
    p.add_argument(
        "--offline-vouchers",
        type=_not_negative,
        default=30,
        help="vouchers a machine may post per ledger-year while offline",
    )
    p.add_argument("--lease-days", type=_positive, default=14, help="how long a document is trusted offline")


def _add_licence(areas: Any, inner: argparse.ArgumentParser) -> None:
    sub = areas.add_parser("licence", help="licences (serial + CDkey)").add_subparsers(
        metavar="ACTION", dest="action", required=True
    )
    p = _leaf(sub, "issue", inner, cmd_licence_issue, "issue licences; the CDkeys are printed only this once")
    p.add_argument("--product", required=True, help="product code")
    p.add_argument("--policy", required=True, help="policy code")
    p.add_argument("--count", type=_positive, default=1)
    p.add_argument("--json", action="store_true")
    for name, status in (("suspend", "suspended"), ("resume", "active")):
        p = _leaf(sub, name, inner, cmd_licence_status, f"{name} a licence")
        p.add_argument("--serial", required=True)
        p.set_defaults(status=status)


def _add_addon(areas: Any, inner: argparse.ArgumentParser) -> None:
    sub = areas.add_parser("addon", help="add-on service keys (云之家-like)").add_subparsers(
        metavar="ACTION", dest="action", required=True
    )
    p = _leaf(sub, "issue", inner, cmd_addon_issue, "issue add-on CDkeys; printed only this once")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--count", type=_positive, default=1)
    p.add_argument("--duration-days", type=_positive, default=365)
    p.add_argument("--json", action="store_true")


def _add_machines(areas: Any, inner: argparse.ArgumentParser) -> None:
    sub = areas.add_parser("machines", help="machines of a licence").add_subparsers(
        metavar="ACTION", dest="action", required=True
    )
    p = _leaf(sub, "list", inner, cmd_machines_list, "list the machines of a licence")
    p.add_argument("--serial", required=True)
    p.add_argument("--json", action="store_true")


def _add_keys(areas: Any, inner: argparse.ArgumentParser) -> None:
    sub = areas.add_parser("keys", help="Ed25519 signing keys").add_subparsers(
        metavar="ACTION", dest="action", required=True
    )
    _leaf(sub, "generate", inner, cmd_keys_generate, "create the first signing key (no-op if one is active)")
    p = _leaf(sub, "rotate", inner, cmd_keys_rotate, "sign with a new key from now on; old keys stay published")
    p.add_argument("--stage", action="store_true", help="add the new key unused; `keys activate` switches to it")
    p = _leaf(sub, "activate", inner, cmd_keys_activate, "sign with a key already in the key dir")
    p.add_argument("--kid", required=True)
    _leaf(sub, "list", inner, cmd_keys_list, "list key ids, marking the active one")
    p = _leaf(sub, "export-public", inner, cmd_keys_export, "write <kid>.pub files for resources/keys/")
    p.add_argument("--out", type=Path, required=True)


def _add_account(areas: Any, inner: argparse.ArgumentParser) -> None:
    sub = areas.add_parser("account", help="accounts").add_subparsers(metavar="ACTION", dest="action", required=True)
    p = _leaf(sub, "create", inner, cmd_account_create, "create an account; the password is read from stdin")
    p.add_argument("--login", required=True)
    p.add_argument("--password-stdin", action="store_true", required=True, help="read the password from stdin")
    p.add_argument("--role", choices=["customer", "service_accountant"], default="customer")
    p.add_argument("--display-name", default="")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def _not_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def _iso_datetime(text: str) -> datetime:
    value = parse_iso(text)  # without an offset the time is UTC, like everywhere on the wire
    if value is None:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}")
    return value


# --- plumbing -----------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    return Settings(**overrides)


def _safe_url(args: argparse.Namespace) -> str:
    try:
        return make_url(_settings(args).resolved_database_url()).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: do not echo it, it may hold a password
        return "(unparsable URL)"


def _now() -> datetime:
    from server.clock import Clock

    return Clock().now()


@contextmanager
def _session(args: argparse.Namespace, *, upgrade: bool = True) -> Iterator[Session]:
    """A committed-on-success session on an up-to-date schema."""
    from server.db import make_engine, make_session_factory, session_scope, upgrade_to_head

    url = _settings(args).resolved_database_url()
    if upgrade:
        upgrade_to_head(url)
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _print_json(data: Any) -> None:
    """JSON as UTF-8 whatever the console's code page (cp1252 or GBK on Windows), for the scripts reading it."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _product(session: Session, code: str) -> Product:
    from server.models import Product

    product = session.scalar(select(Product).where(Product.code == code))
    if product is None:
        known = ", ".join(session.scalars(select(Product.code).order_by(Product.code))) or "none yet"
        raise CliError(f"unknown product {code!r} (known: {known})")
    return product


def _policy(session: Session, product: Product, code: str) -> Policy:
    from server.models import Policy

    policy = session.scalar(select(Policy).where(Policy.product_id == product.id, Policy.code == code))
    if policy is None:
        known = ", ".join(session.scalars(select(Policy.code).where(Policy.product_id == product.id))) or "none yet"
        raise CliError(f"unknown policy {code!r} of product {product.code!r} (known: {known})")
    return policy


def _licence(session: Session, serial: str) -> Licence:
    from server.models import Licence

    licence = session.scalar(select(Licence).where(Licence.serial == serial.strip().upper()))
    if licence is None:
        raise CliError(f"unknown serial {serial!r}")
    return licence


# --- commands -----------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app, settle_for_serving
    from server.context import ServerContext
    from server.db import upgrade_to_head

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _settings(args)
    if args.require_key:
        _existing_keystore(args)  # exits 2 when the key dir holds no key
    upgrade_to_head(settings.resolved_database_url())  # once, here: workers and other instances never migrate
    ctx = ServerContext.create(settings)  # also makes the first signing key when there is none
    log.info("signing with key %s; serving on http://%s:%s", ctx.keys.active_kid(), args.host, args.port)
    if args.workers > 1:
        ctx.engine.dispose()
        if make_url(settings.resolved_database_url()).get_backend_name() == "sqlite":
            log.warning("%d workers on SQLite take turns at one write lock; use PostgreSQL to scale", args.workers)
        # Workers are fresh processes: they read the settings from the environment (server/asgi.py).
        os.environ["LP_DATABASE_URL"] = settings.resolved_database_url()
        os.environ["LP_DATA_DIR"] = str(settings.data_dir)
        uvicorn.run(
            "server.asgi:create_app_from_environment",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            log_level="info",
        )
        return EXIT_OK
    app = create_app(ctx)
    settle_for_serving()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    finally:
        ctx.engine.dispose()
    return EXIT_OK


def cmd_demo_data(args: argparse.Namespace) -> int:
    from server.services.demo import seed_demo

    with _session(args) as session:
        data = seed_demo(session, _now())
    if args.json:
        _print_json(data.to_json())
        return EXIT_OK
    print("Demo logins:")
    for login in data.logins:
        print(f"  {login.login:<14} {login.password:<16} {login.role}")
    print("\nScenarios (CDkeys are shown only now; re-run for a fresh set):")
    for name, sc in data.scenarios.items():
        if "serial" in sc:
            print(f"  {name:<20} serial {sc['serial']}  cdkey {sc['cdkey']}  → {sc['expect']}")
            print(f"  {'':<20} {sc['product_name']} · {sc['org_name']} · {sc['note']}")
            if "addon_cdkey" in sc:
                print(f"  {'':<20} add-on {sc['addon_name']} cdkey {sc['addon_cdkey']}")
        elif "codes" in sc:
            print(f"  {name:<20} {sc['note']}")
            for c in sc["codes"]:
                print(f"  {'':<22} {c['code']}  {c['months']} months of {sc['product_name']}")
        elif "customers" in sc:
            print(f"  {name:<20} login {sc['login']} / {sc['password']}, customers:")
            for c in sc["customers"]:
                print(f"  {'':<22} {c['name']} ({c['tax_id']}) expires {c['expires_at'][:10]} serial {c['serial']}")
        else:
            print(f"  {name:<20} {sc.get('note', '')}")
    return EXIT_OK


def cmd_product_create(args: argparse.Namespace) -> int:
    from server.models import Product
    from server.services.admin import create_product

    with _session(args) as session:
        existed = session.scalar(select(Product.id).where(Product.code == args.code)) is not None
        product = create_product(session, code=args.code, name=args.name, version=args.version)
        note = " (already existed, unchanged)" if existed else ""
        print(f"product {product.code}: {product.name} {product.version}".rstrip() + note)
    return EXIT_OK


def cmd_product_list(args: argparse.Namespace) -> int:
    from server.models import Policy, Product

    with _session(args) as session:
        for product in session.scalars(select(Product).order_by(Product.code)):
            print(f"{product.code}  {product.name} {product.version}".rstrip())
            for policy in session.scalars(select(Policy).where(Policy.product_id == product.id).order_by(Policy.code)):
                days = f"{policy.duration_days} days" if policy.duration_days else "perpetual"
                print(f"    {policy.code}  {policy.name}  {policy.edition}, {policy.max_machines} seats, {days}")
    return EXIT_OK


def cmd_policy_create(args: argparse.Namespace) -> int:
    from server.models import Policy
    from server.services.admin import create_policy, default_voucher_quota

    with _session(args) as session:
        product = _product(session, args.product)
        existed = session.scalar(select(Policy.id).where(Policy.product_id == product.id, Policy.code == args.code))
        policy = create_policy(
            session,
            product=product,
            code=args.code,
            name=args.name,
            edition=args.edition,
            max_machines=args.seats,
            activation_limit=args.activation_limit,
            one_account_per_ip=args.one_account_per_ip,
            duration_days=args.duration_days,
            ledgers_included=args.ledgers,
            voucher_quota_default=args.voucher_quota or default_voucher_quota(args.edition),
            offline_voucher_allowance=args.offline_vouchers,
            lease_days=args.lease_days,
        )
        note = " (already existed, unchanged)" if existed is not None else ""
        print(f"policy {args.product}/{policy.code}: {policy.name} ({policy.edition}){note}")
    return EXIT_OK


def cmd_licence_issue(args: argparse.Namespace) -> int:
    from server.services.admin import issue_licences

    with _session(args) as session:
        policy = _policy(session, _product(session, args.product), args.policy)
        issued = issue_licences(session, policy=policy, count=args.count, now=_now())
    # Printed only after the commit, so no key is shown for a licence that was rolled back.
    print("note: the CDkeys below are shown only now; only their hashes are stored", file=sys.stderr)
    if args.json:
        _print_json({"licences": [{"id": k.licence_id, "serial": k.serial, "cdkey": k.cdkey} for k in issued]})
    else:
        for k in issued:
            print(f"{k.serial}\t{k.cdkey}")
    return EXIT_OK


def cmd_licence_status(args: argparse.Namespace) -> int:
    with _session(args) as session:
        licence = _licence(session, args.serial)
        if licence.status == "revoked":
            raise CliError(f"licence {licence.serial} is revoked and cannot change state")
        # Resuming gives back the state it would have had: active once bound to an organisation.
        status = args.status if args.status == "suspended" or licence.organisation_id else "unused"
        licence.status = status
        print(f"licence {licence.serial}: {status}")
    return EXIT_OK


def cmd_addon_issue(args: argparse.Namespace) -> int:
    from server.services.admin import issue_addon_keys

    with _session(args) as session:
        keys = issue_addon_keys(
            session, code=args.code, name=args.name, count=args.count, now=_now(), duration_days=args.duration_days
        )
    print("note: the CDkeys below are shown only now; only their hashes are stored", file=sys.stderr)
    if args.json:
        _print_json({"code": args.code, "name": args.name, "cdkeys": keys})
    else:
        print("\n".join(keys))
    return EXIT_OK


def cmd_machines_list(args: argparse.Namespace) -> int:
    from server.services.seats import seats_max

    with _session(args) as session:
        licence = _licence(session, args.serial)
        rows: list[dict[str, Any]] = [
            {
                "id": m.id,
                "name": m.name,
                "fingerprint": m.fingerprint,
                "public_ip": m.public_ip,
                "activated_at": m.activated_at.isoformat(),
                "last_seen_at": m.last_seen_at.isoformat(),
                "deactivated_at": m.deactivated_at.isoformat() if m.deactivated_at else None,
            }
            for m in licence.machines
        ]
        seats = {"used": sum(1 for r in rows if r["deactivated_at"] is None), "max": seats_max(licence)}
    if args.json:
        _print_json({"serial": licence.serial, "seats": seats, "machines": rows})
        return EXIT_OK
    print(f"licence {licence.serial}: {seats['used']}/{seats['max']} seats")
    for r in rows:
        gone = f"  deactivated {r['deactivated_at'][:19]}" if r["deactivated_at"] else ""
        print(
            f"  #{r['id']} {r['name']:<16} {r['fingerprint']}  {r['public_ip']:<15} seen {r['last_seen_at'][:19]}{gone}"
        )
    return EXIT_OK


def _keystore(args: argparse.Namespace) -> KeyStore:
    from server.signing import KeyStore

    return KeyStore(_settings(args).resolved_key_dir())


def _existing_keystore(args: argparse.Namespace) -> KeyStore:
    keys = _keystore(args)
    if not keys.all_kids():
        raise CliError(f"no signing keys in {keys.directory}; run `admin keys generate`")
    return keys


def cmd_keys_generate(args: argparse.Namespace) -> int:
    keys = _keystore(args)
    before = keys.all_kids()
    kid = keys.ensure()
    print(f"{'created' if kid not in before else 'already active'}: {kid}")
    return EXIT_OK


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    if args.stage:
        kid = _existing_keystore(args).generate(activate=False)
        print(f"staged: {kid} (published, not signing yet; copy the key dir to every host, then `keys activate`)")
        return EXIT_OK
    kid = _keystore(args).rotate()
    print(f"active: {kid} (earlier keys stay published so issued documents still verify)")
    return EXIT_OK


def cmd_keys_activate(args: argparse.Namespace) -> int:
    keys = _existing_keystore(args)
    if args.kid not in keys.all_kids():
        raise CliError(f"no key {args.kid!r} in {keys.directory} (known: {', '.join(keys.all_kids())})")
    print(f"active: {keys.activate(args.kid)}")
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace) -> int:
    keys = _existing_keystore(args)
    for entry in keys.public_keys():
        print(f"{entry['kid']}{'  (active)' if entry['active'] else ''}")
    return EXIT_OK


def cmd_keys_export(args: argparse.Namespace) -> int:
    keys = _existing_keystore(args)
    args.out.mkdir(parents=True, exist_ok=True)
    for entry in keys.public_keys():
        path = args.out / f"{entry['kid']}.pub"
        path.write_text(entry["public_key"] + "\n", encoding="ascii")
        print(path)
    return EXIT_OK


def cmd_account_create(args: argparse.Namespace) -> int:
    from server.services.admin import create_account

    password = args.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError("no password on stdin")
    with _session(args) as session:
        account = create_account(
            session, login=args.login, password=password, now=_now(), display_name=args.display_name, role=args.role
        )
        print(f"account {account.login} ({account.role}) id {account.id}")
    return EXIT_OK


def cmd_announce(args: argparse.Namespace) -> int:
    from server.models import Announcement

    now = _now()
    starts = args.starts or now
    if args.maintenance and args.ends is None:
        raise CliError("--maintenance needs --ends (clients are told when to retry)")
    if args.ends is not None and args.ends <= starts:
        raise CliError("--ends must be after --starts")
    with _session(args) as session:
        row = Announcement(
            kind="maintenance" if args.maintenance else "info",
            title=args.title,
            body=args.body,
            starts_at=starts,
            ends_at=args.ends,
        )
        session.add(row)
        session.flush()
        print(f"announcement {row.id} ({row.kind}) from {starts.isoformat()}")
    return EXIT_OK
