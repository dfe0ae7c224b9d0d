"""``LicenceHost``: what a Python accounting program asks the licence panel, without Qt.

The same answers as the command line (README.md, "Commands for the accounting software"): ``check`` is
``python -m app check`` (offline, from the verified signed document, through the very functions the command uses:
app/services/local_check.py), ``consume_vouchers`` is ``vouchers consume`` (online, else the offline journal),
``refresh`` is ``refresh`` (在线认证), and the ledger calls are ``ledgers list|create|archive`` plus opening a
fiscal year. Failures are one exception, ``LicenceError``, carrying the code, the words to show and the exit code
the command would have ended with.

Importing this module loads neither Qt, requests nor keyring: ``check`` and ``state`` stay as light as the
``check`` command. The first online call builds the panel's ``LicenceService`` (the HTTP client and the OS keyring
with the session the panel remembered, 记住我). Every online call takes ``cancel=`` (anything with ``is_set()``,
such as the token app/ui/runner.py passes) and blocks: a GUI host runs it off its GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from licence_protocol.document import Entitlement, VoucherUsage
from licence_protocol.errors import ErrorCode

from app import i18n
from app.domain.error_catalogue import state_for_error
from app.domain.error_codes import AnyErrorCode, ClientErrorCode
from app.domain.ledgers import Ledger, LedgerYear, LicenceLedgers
from app.domain.module_check import CheckReason
from app.domain.states import exit_code_for
from app.domain.vouchers import VoucherConsumption, VoucherStanding
from app.i18n import state_label, tr, tr_error
from app.services.errors import (
    ApiError,
    CancelledError,
    InvalidDocumentError,
    NetworkError,
    NotSignedInError,
    RefusedError,
    ServiceError,
)
from app.services.local_check import check_as_json, read_local_check
from app.services.local_status import LocalStatus, read_local_status
from app.services.paths import AppPaths

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.services.demo_backend import DemoBackend
    from app.services.fingerprint import FingerprintSource
    from app.services.http import CancelToken
    from app.services.licence_service import LicenceService

# The exit codes of `python -m app` (README.md): someone must act, refused or blocked, try again later.
EXIT_NOT_SET_UP: Final = 1
EXIT_REFUSED: Final = 2
EXIT_UNAVAILABLE: Final = 3

# Server answers refusing what was asked within the licence's limits: "refused" (2), as the command line says.
_REFUSALS = frozenset(
    {
        ErrorCode.LEDGER_LIMIT_EXCEEDED,
        ErrorCode.LEDGER_CODE_TAKEN,
        ErrorCode.LEDGER_ARCHIVED,
        ErrorCode.VOUCHER_QUOTA_EXCEEDED,
    }
)
# Answers meaning "the server cannot help right now" (app/services/licence_service.py treats them as offline).
_UNAVAILABLE = frozenset({ErrorCode.MAINTENANCE, ErrorCode.SERVER_BUSY, ErrorCode.INTERNAL_ERROR, ErrorCode.HTTP_ERROR})
# The host's own codes for the two answers the service gives without an error code.
NOT_SIGNED_IN: Final = "NOT_SIGNED_IN"
NOT_ACTIVATED: Final = "NOT_ACTIVATED"
SERVER_UNAVAILABLE: Final = "SERVER_UNAVAILABLE"

T = TypeVar("T")


class LicenceError(Exception):
    """An online call failed or was refused. ``message`` is for the user (in the current language); ``code`` is
    what a program branches on (``LEDGER_LIMIT_EXCEEDED``, ``VOUCHER_QUOTA_EXCEEDED``, ``NOT_SIGNED_IN``, …; the
    server's codes are in docs/PROTOCOL.md); ``details`` are the code's documented details; ``exit_code`` is the
    one the command line would end with (1 someone must act, 2 refused or blocked, 3 try again later, 4 a bug).
    ``str()`` names the code only: safe to log."""

    def __init__(self, code: str, message: str, exit_code: int, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.exit_code = exit_code
        self.details: Mapping[str, Any] = dict(details or {})

    @property
    def refused(self) -> bool:
        """The licence's limits said no (ledgers, vouchers, an archived ledger, a blocking state)."""
        return self.exit_code == EXIT_REFUSED


def licence_error(exc: ServiceError) -> LicenceError:
    """The one ``LicenceError`` for a service failure; the words come from app/domain/error_catalogue.py."""
    if isinstance(exc, RefusedError):  # the client's own rule (an offline allowance used up), or a blocked licence
        state = exc.details.get("state")
        exit_code = exit_code_for(state) if isinstance(state, str) else EXIT_REFUSED
        return LicenceError(str(exc.code), tr_error(exc.code, exc.details), exit_code, exc.details)
    if isinstance(exc, ApiError):
        if exc.code in _REFUSALS:
            exit_code = EXIT_REFUSED
        elif exc.code in _UNAVAILABLE:
            exit_code = EXIT_UNAVAILABLE
        else:
            state = state_for_error(exc.code)
            exit_code = EXIT_NOT_SET_UP if state is None else exit_code_for(state)
        return LicenceError(str(exc.code), tr_error(exc.code, exc.details), exit_code, exc.details)
    code: AnyErrorCode
    if isinstance(exc, NotSignedInError):
        code, exit_code = ErrorCode.UNAUTHORIZED, EXIT_NOT_SET_UP
    elif isinstance(exc, NetworkError):
        code = ClientErrorCode.TIMEOUT if exc.kind == "timeout" else ClientErrorCode.NETWORK_ERROR
        exit_code = EXIT_UNAVAILABLE
    elif isinstance(exc, InvalidDocumentError):
        code, exit_code = ClientErrorCode.INVALID_DOCUMENT, EXIT_UNAVAILABLE
    else:  # the keyring failed, or another local service problem
        code, exit_code = ErrorCode.INTERNAL_ERROR, EXIT_UNAVAILABLE
    return LicenceError(str(code), tr_error(code), exit_code)


@dataclass(frozen=True)
class ModuleAccess:
    """The answer of ``check``: exactly what ``python -m app check --json`` prints, typed.

    ``reason`` is ``open``, ``licence_state``, ``ledger_limit``, ``module_not_opened`` or
    ``voucher_quota_used_up``; ``exit_code`` 0 open, 1 not activated, 2 not open or blocked, 3 cache unreadable.
    ``vouchers`` are the ledger-year's as the signed document lists them plus this computer's unreported offline
    vouchers (the server's live count is what ``consume_vouchers`` answers)."""

    module: str
    ledger_id: int
    fiscal_year: int
    open: bool
    reason: CheckReason
    exit_code: int
    state: str | None  # the licence state code (ACTIVE, LEDGER_LIMIT_EXCEEDED, …); None: the cache is unreadable
    message: str  # why, in the current language
    vouchers: VoucherStanding | None
    json: Mapping[str, Any] = field(repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` object (resources/check.schema.json)."""
        return dict(self.json)


@dataclass(frozen=True)
class LicenceState:
    """What ``status`` says, with what the document opened: the state, its words, the entitlements and vouchers."""

    code: str | None  # ACTIVE, LEDGER_LIMIT_EXCEEDED, …; None when the licence cache cannot be read
    label: str  # in the current language (zh_CN: the vendor's wording, e.g. 账套已用数量大于可用数量,请先购买账套数量)
    explanation: str
    next_step: str
    usable: bool
    exit_code: int  # as `status`: 0 usable, 1 not activated, 2 blocked, 3 cache unreadable
    licence_id: int | None  # None: no verified licence on this computer
    ledgers: tuple[int, int] | None  # (bought, in use), from the document
    entitlements: frozenset[Entitlement]  # (module, ledger, fiscal year) opened
    vouchers: tuple[VoucherUsage, ...]

    @classmethod
    def of(cls, status: LocalStatus) -> LicenceState:
        info, doc = status.state, status.document
        if info is None:
            label = tr("The licence cache cannot be read: {reason}", reason=status.cache_reason)
            return cls(None, label, "", "", False, status.exit_code, None, None, frozenset(), ())
        return cls(
            code=info.code.value,
            label=state_label(info),
            explanation=tr(info.explanation, **status.details),
            next_step=tr(info.next_step, **status.details),
            usable=status.usable,
            exit_code=status.exit_code,
            licence_id=doc.licence_id if doc is not None else None,
            ledgers=(doc.ledgers.purchased, doc.ledgers.in_use) if doc is not None else None,
            entitlements=frozenset(doc.entitlements) if doc is not None else frozenset(),
            vouchers=doc.vouchers if doc is not None else (),
        )


class LicenceHost:
    """The licence panel of this computer, for a Python host program.

    ``data_dir`` is the panel's (default: the same as ``python -m app``); ``server_url`` and ``demo`` are
    ``--server`` and ``--demo``. ``service`` hands in a ``LicenceService`` the host already has (tests, or a host
    sharing one with the panel's widgets); its data dir, machine and trusted keys are then used for ``check`` too.
    Safe to use from several threads: the service locks what it must.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        server_url: str | None = None,
        demo: bool = False,
        service: LicenceService | None = None,
    ) -> None:
        self.paths = service.paths if service is not None else AppPaths.from_data_dir(data_dir)
        self.server_url = server_url
        self.demo = demo or bool(service is not None and service.demo)
        self._service = service
        self._fingerprint: FingerprintSource | None = service.fingerprint if service is not None else None
        self._lock = threading.Lock()

    # -- offline: as light as `python -m app check` ---------------------------------------------------------

    def check(self, module: str, ledger_id: int, fiscal_year: int) -> ModuleAccess:
        """May ``module`` (``period_close``, …; ``vouchers``: may vouchers be posted) be used in exactly this
        ledger-year? Offline, from the verified signed document; never raises for a licence problem (the answer
        says which: ``reason``)."""
        local = read_local_check(
            self.paths,
            module=module,
            ledger_id=ledger_id,
            fiscal_year=fiscal_year,
            now=datetime.now(UTC),
            components=self._machine().components(),
            trusted=self._trusted(),
        )
        answer = check_as_json(local)
        return ModuleAccess(
            module=module,
            ledger_id=ledger_id,
            fiscal_year=fiscal_year,
            open=local.result.open,
            reason=local.result.reason,
            exit_code=local.exit_code,
            state=answer["state"],
            message=answer["message"],
            vouchers=local.result.vouchers,
            json=answer,
        )

    def state(self) -> LicenceState:
        """The licence state as ``python -m app status`` reads it (offline), with its entitlements and vouchers."""
        status = read_local_status(
            self.paths, now=datetime.now(UTC), components=self._machine().components(), trusted=self._trusted()
        )
        return LicenceState.of(status)

    def use_panel_language(self, language: str | None = None) -> str:
        """Speak the panel's language: ``language`` (zh_CN, en, vi, fa), else the one chosen in the panel's
        settings, else the system's. Messages of ``check`` and ``LicenceError`` follow it; returns the language."""
        if language:
            return i18n.set_language(language)
        from app.services.settings import load_settings

        return i18n.set_language(load_settings(self.paths).settings.language)

    # -- online (blocking): sign-in, licence, ledgers, vouchers -------------------------------------------------

    @property
    def service(self) -> LicenceService:
        """The panel's service, built on first use (this loads requests and the OS keyring)."""
        with self._lock:
            if self._service is None:
                from app.services.licence_service import open_service

                self._service = open_service(self.paths, server_url=self.server_url, demo=self.demo)
            return self._service

    @property
    def signed_in(self) -> bool:
        return self._service is not None and self._service.signed_in

    def sign_in(self, login: str, password: str, *, remember: bool = False, cancel: CancelToken | None = None) -> None:
        """Sign in to the licence server (``remember``: keep the session in the OS keyring, as 记住我 does)."""
        self._call(lambda s: s.sign_in(login, password, remember, cancel=cancel))

    def restore_session(self, *, cancel: CancelToken | None = None) -> bool:
        """Resume the session the panel remembered (记住我); False when there is none or the server is unreachable."""
        try:
            return self._call(lambda service: self._session(service, cancel))
        except LicenceError as exc:
            if exc.code == NOT_SIGNED_IN:
                return False
            raise

    def activate(self, serial: str, cdkey: str, org_id: int, *, cancel: CancelToken | None = None) -> LicenceState:
        """Activate this computer (signed in): the signed document is verified and cached; the new state."""
        return LicenceState.of(self._online(lambda s: s.activate(serial, cdkey, org_id, cancel=cancel), cancel))

    def refresh(self, *, cancel: CancelToken | None = None) -> LicenceState:
        """在线认证: report vouchers posted offline, fetch a fresh signed document; the state as ``status`` would
        print it. ``SERVER_UNAVAILABLE`` (exit code 3) when the server cannot be reached: the cache is unchanged."""
        before = self.state()
        if before.licence_id is None:  # nothing to refresh: say so as `refresh` does, without the network
            return before

        def reauthenticate(service: LicenceService) -> LocalStatus:
            status = service.reauthenticate(cancel=cancel)
            if service.online is False or service.maintenance is not None:  # the cache was kept
                raise self._unavailable()
            return status

        return LicenceState.of(self._online(reauthenticate, cancel))

    def ledgers(self, *, cancel: CancelToken | None = None) -> LicenceLedgers:
        """The licence's ledgers (账套) with their fiscal years, and how many are bought and in use."""
        return self._licensed(lambda s: s.ledgers(cancel=cancel), cancel)

    def create_ledger(self, code: str, name: str, *, cancel: CancelToken | None = None) -> Ledger:
        """A new ledger. ``LEDGER_LIMIT_EXCEEDED`` (details ``purchased``, ``in_use``) when every ledger bought is
        in use: buy more (立即购买, cloud edition) or archive one; ``LEDGER_CODE_TAKEN`` for a code in use."""
        return self._licensed(lambda s: s.create_ledger(code, name, cancel=cancel), cancel)

    def archive_ledger(self, ledger_id: int, *, cancel: CancelToken | None = None) -> Ledger:
        """Archive a ledger: read-only from now on, no longer in use. ``refresh`` afterwards updates the state."""
        return self._licensed(lambda s: s.archive_ledger(ledger_id, cancel=cancel), cancel)

    def open_year(self, ledger_id: int, fiscal_year: int, *, cancel: CancelToken | None = None) -> LedgerYear:
        """进入账套: open a fiscal year of a ledger with the edition's voucher quota (the same answer when it is
        open already): its modules and the server's voucher count. ``check`` knows it after the next ``refresh``."""
        return self._licensed(lambda s: s.open_ledger_year(ledger_id, fiscal_year, cancel=cancel), cancel)

    def consume_vouchers(
        self, ledger_id: int, fiscal_year: int, *, key: str, count: int = 1, cancel: CancelToken | None = None
    ) -> VoucherConsumption:
        """Count ``count`` vouchers just posted, under the host's idempotency ``key`` (the same key never counts
        twice: retry with the same key). Online the server counts (``VOUCHER_QUOTA_EXCEEDED`` past the quota);
        when it cannot be reached they go into the offline journal within the signed offline allowance
        (``offline`` is then True; ``OFFLINE_VOUCHER_ALLOWANCE_USED_UP`` past it) and are reported at the next
        online check."""

        def consume(service: LicenceService) -> VoucherConsumption:
            if self._session(service, cancel):
                return service.consume_vouchers(ledger_id, fiscal_year, count, key, cancel=cancel)
            return service.consume_vouchers_offline(ledger_id, fiscal_year, count, key)

        return self._call(consume)

    # -- internals -------------------------------------------------------------------------------------------

    def _machine(self) -> FingerprintSource:
        if self._fingerprint is None:
            from app.services.fingerprint import SystemFingerprint

            self._fingerprint = SystemFingerprint(self.paths)
        return self._fingerprint

    def _trusted(self) -> Mapping[str, Ed25519PublicKey]:
        if self._service is not None:
            return self._service.trusted_keys
        from app.services.trust import load_trusted

        return load_trusted(self.paths, demo=self.demo)  # read each time, as each `check` run does

    def _call(self, call: Callable[[LicenceService], T]) -> T:
        try:
            return call(self.service)
        except CancelledError:
            raise  # the caller cancelled: nothing to tell the user
        except ServiceError as exc:
            raise licence_error(exc) from exc

    def _session(self, service: LicenceService, cancel: CancelToken | None) -> bool:
        """Signed in (now, or by resuming the remembered session); False when the server cannot be reached.
        ``NOT_SIGNED_IN`` when there is no session to resume (as the command line's sign-in)."""
        if service.signed_in:
            return True
        try:
            if service.restore_session(cancel=cancel) is not None:
                return True
        except NetworkError:
            return False
        except ApiError as exc:
            if exc.code in _UNAVAILABLE:
                return False
            raise licence_error(exc) from exc
        if service.online is False or service.maintenance is not None:
            return False
        raise LicenceError(
            NOT_SIGNED_IN,
            tr(
                "Nobody is signed in to the licence panel on this computer. Sign in there with “Remember me on this "
                "computer” ticked, so the accounting software can use the session, then try again."
            ),
            EXIT_NOT_SET_UP,
        )

    def _online(self, call: Callable[[LicenceService], T], cancel: CancelToken | None) -> T:
        """``call`` once signed in; ``SERVER_UNAVAILABLE`` when the server cannot be reached."""

        def signed_in_call(service: LicenceService) -> T:
            if not self._session(service, cancel):
                raise self._unavailable()
            return call(service)

        return self._call(signed_in_call)

    def _licensed(self, call: Callable[[LicenceService], T], cancel: CancelToken | None) -> T:
        """``_online`` for a call about this computer's licence: ``NOT_ACTIVATED`` (exit 1) without one."""
        if self.state().licence_id is None:
            raise LicenceError(NOT_ACTIVATED, tr("This computer has no licence. Activate it first."), EXIT_NOT_SET_UP)
        return self._online(call, cancel)

    def _unavailable(self) -> LicenceError:
        service = self._service
        if service is not None and service.maintenance is not None:
            return LicenceError(str(ErrorCode.MAINTENANCE), tr_error(ErrorCode.MAINTENANCE), EXIT_UNAVAILABLE)
        return LicenceError(
            SERVER_UNAVAILABLE,
            tr("The licence server cannot be reached. The saved licence is unchanged; try again later."),
            EXIT_UNAVAILABLE,
        )


# -- the demo ------------------------------------------------------------------------------------------------


@dataclass
class DemoServer:
    """The reference licence server embedded on a loopback port with the demo data (``python -m app --demo``)."""

    url: str
    logins: tuple[tuple[str, str], ...]  # (login, password); the demo customer first
    scenarios: Mapping[str, Mapping[str, Any]]  # serial, cdkey, org_id, … per demo licence (server demo-data)
    backend: DemoBackend = field(repr=False)

    @property
    def customer(self) -> tuple[str, str]:
        return self.logins[0]

    def stop(self) -> None:
        self.backend.stop()


def start_demo_server(data_dir: Path | str | None = None) -> DemoServer:
    """Start the demo server under ``<data dir>/demo-server`` (seeded on first use) and trust its signing key for
    ``demo=True`` hosts of that data dir, as ``python -m app --demo`` does. Needs the ``server`` extra installed."""
    from app.services.demo_backend import start_demo_backend
    from app.services.trust import DemoTrust

    paths = AppPaths.from_data_dir(data_dir)
    backend = start_demo_backend(paths.data_dir)
    for kid, key in backend.public_keys.items():
        DemoTrust(paths).save(kid, key)
    logins = tuple((entry["login"], entry["password"]) for entry in backend.data.get("logins", []))
    return DemoServer(backend.url, logins, backend.data.get("scenarios", {}), backend)
