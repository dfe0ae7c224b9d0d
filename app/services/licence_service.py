"""LicenceService: the one facade the UI (on a worker thread) and the CLI call; blocking, Qt-free.

It joins the HTTP client, the keyring, the licence cache and the domain evaluation. Every method that
talks to the server takes ``cancel=`` (a ``threading.Event``; see app/services/http.py) and raises only
``ServiceError`` subclasses. Every method returning a status returns a ``LocalStatus`` evaluated for
this session: the signed-in account, whether the server answered, and its last licence error.

A licence document from the server is verified against the trusted keys (and, for 在线认证, its nonce)
*before* it is written to the cache; a document that fails is never stored (InvalidDocumentError).
"""

from __future__ import annotations

import logging
import platform
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from licence_protocol.document import DocumentFormatError, LicenceDocument
from licence_protocol.envelope import EnvelopeError, UnknownKeyError, verify_envelope
from licence_protocol.errors import ErrorCode
from licence_protocol.fingerprint import feature_code

from app.domain.accounts import Account, Organisation, OutboxMessage, Profile
from app.domain.activation import ActivationPreview, LicenceSummary
from app.domain.connection import ConnectionReport
from app.domain.error_catalogue import state_for_error
from app.domain.error_codes import AnyErrorCode, ClientErrorCode
from app.domain.lease import Announcement, MaintenanceWindow, parse_announcements
from app.domain.ledgers import Ledger, LedgerYear, LicenceLedgers
from app.domain.machines import MachineList
from app.domain.orders import Order, OrderItem, RedeemResult, orders_from_json
from app.domain.purchase import Catalogue
from app.domain.renewal import Customer, RenewalQuote, RenewalRequest, customers_from
from app.domain.seats import SEAT_SKU, LicenceCatalogue
from app.domain.support import SupportContacts
from app.domain.vouchers import VoucherConsumption, voucher_standing
from app.domain.wire import ResponseFormatError
from app.services.cache import ClockWatermark, LicenceCache
from app.services.credentials import CredentialError, CredentialStore, KeyringWatermarkCopy
from app.services.errors import (
    ApiError,
    CancelledError,
    InvalidDocumentError,
    NetworkError,
    NotSignedInError,
    RefusedError,
    ServiceError,
)
from app.services.fingerprint import FingerprintSource, SystemFingerprint
from app.services.http import ApiClient, CancelToken
from app.services.local_status import (
    DOCUMENT_ACCOUNT,
    LocalStatus,
    SessionFacts,
    SignedInAccount,
    read_local_status,
    verify_document,
)
from app.services.paths import AppPaths
from app.services.settings import ClientSettings, load_settings, save_settings
from app.services.trust import load_trusted
from app.services.voucher_journal import JournalEntry, ReportOutcome, VoucherJournal

log = logging.getLogger(__name__)

# Answers meaning "the server cannot help right now": like no network, the cached document decides.
_UNAVAILABLE_CODES = frozenset(
    {ErrorCode.MAINTENANCE, ErrorCode.SERVER_BUSY, ErrorCode.INTERNAL_ERROR, ErrorCode.HTTP_ERROR}
)
# Answers to a report of vouchers posted offline that no retry will change: the entry is marked refused (and
# logged) rather than sent again at every online check.
_FINAL_REPORT_REFUSALS = frozenset(
    {ErrorCode.VOUCHER_QUOTA_EXCEEDED, ErrorCode.LEDGER_ARCHIVED, ErrorCode.VALIDATION_ERROR}
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def server_unavailable(exc: ApiError) -> bool:
    """The server answered but cannot help now (maintenance, busy, its own failure): like no network."""
    return exc.code in _UNAVAILABLE_CODES


T = TypeVar("T")


def _parsed(parse: Callable[[Any], T], body: Any) -> T:
    """A server answer as a typed value (app/domain); one of another shape is a bad response, like non-JSON."""
    try:
        return parse(body)
    except ResponseFormatError as exc:
        raise NetworkError("bad_response", str(exc)) from None


@dataclass(frozen=True)
class ServerError:
    """The last licence error the server answered (a state of the catalogue), kept for the evaluation."""

    code: AnyErrorCode
    details: Mapping[str, Any]


class LicenceService:
    """Blocking facade; safe to call from one worker thread at a time per operation (tokens are locked)."""

    def __init__(
        self,
        paths: AppPaths,
        settings: ClientSettings,
        credentials: CredentialStore,
        fingerprint: FingerprintSource,
        trusted_keys: Mapping[str, Ed25519PublicKey],
        now: Callable[[], datetime] = _utcnow,
        *,
        machine_name: str | None = None,
        server_url: str | None = None,
        demo: bool = False,
        locked_settings: frozenset[str] = frozenset(),
    ) -> None:
        self.paths = paths
        self.settings = settings
        # Enforced by the administrator (Windows policy values): shown, never changed from here.
        self.locked_settings = locked_settings
        self.credentials = credentials
        self.fingerprint = fingerprint
        self.trusted_keys = dict(trusted_keys)
        self.now = now
        self.machine_name = machine_name or platform.node() or "PC"
        self.demo = demo  # `--demo`: the embedded demo server, whose outbox the sign-in dialog may show
        self.cache = LicenceCache(paths)
        self.voucher_journal = VoucherJournal.of(paths)
        # The keyring copy outlives the data dir's two (the offline `status` reads only those). The panel defers it
        # to after its first paint (app/ui/launch.py).
        self.keyring_watermark = KeyringWatermarkCopy(credentials, paths)
        self.watermark = ClockWatermark(paths, self.cache, extra_copies=[self.keyring_watermark])
        self._lock = threading.RLock()
        self._login: str | None = None
        self._remember = False
        # A remembered login we could not (yet) confirm: before restore_session(), or the server was unreachable.
        self._offline_session = settings.session_remembered or settings.offline_activated
        if settings.session_remembered:
            self._login = settings.last_login
        self._online: bool | None = None  # None: not checked in this session
        self._maintenance: MaintenanceWindow | None = None  # the last answer was 503 MAINTENANCE
        self._server_error: ServerError | None = None
        # --server / --demo: used for this run only, never written to settings.json (a demo's random
        # port saved there would leave the next normal start pointing at nothing).
        self._server_override = server_url
        # Told of every HTTP answer (its status), from whichever thread made the call: the status bar's
        # "server reachable" follows any answered request, not only the licence checks.
        self.answer_listeners: list[Callable[[int], None]] = []
        self.api = self._make_client(settings)

    @classmethod
    def create(cls, paths: AppPaths, *, server_url: str | None = None, demo: bool = False, **kw: Any) -> LicenceService:
        """The real thing: saved settings, the OS keyring, this machine, the trusted keys (see ``open_service``)."""
        return open_service(paths, server_url=server_url, demo=demo, **kw)

    @property
    def server_url(self) -> str:
        return self._server_override or self.settings.server_url

    @property
    def online(self) -> bool | None:
        """Whether the server answered the last check: True, False (unreachable), None (not checked, or maintenance).

        Network state, kept apart from the licence state: "unreachable" never means "licence invalid"."""
        return self._online

    @property
    def maintenance(self) -> MaintenanceWindow | None:
        """The maintenance window the server announced with its last answer (503 MAINTENANCE), else None."""
        return self._maintenance

    # -- session -----------------------------------------------------------------------------------

    @property
    def account(self) -> Account | None:
        """The signed-in Account, or None."""
        raw = self.api.account
        return _parsed(Account.from_json, raw) if raw is not None else None

    @property
    def login(self) -> str | None:
        return self._login if (self.api.account is not None or self._offline_session) else None

    @property
    def signed_in(self) -> bool:
        return self.api.account is not None

    @property
    def remembers_login(self) -> bool:
        """False when no keyring is usable: the session ends with the panel (say so to the user)."""
        return self.credentials.persistent

    def sign_in(self, login: str, password: str, remember: bool, *, cancel: CancelToken | None = None) -> Account:
        """Sign in; with ``remember`` only the refresh token goes to the keyring (the access token stays in memory)."""
        body = self.api.login(login, password, cancel=cancel)
        account = _parsed(lambda b: Account.from_json(b.get("account")), body)
        with self._lock:
            previous = self._login
            self._login, self._remember, self._offline_session = login, remember, False
            if previous != login:
                self._server_error = None
            refresh = self.api.refresh_token
            if remember and refresh:
                self.credentials.save_refresh_token(login, refresh)
            else:
                self._forget_token(login)  # "remember me" unticked: drop a token saved earlier
            self._save_settings(
                self.settings.replace(
                    last_login=login, remember_login=remember, offline_activated=False, session_remembered=remember
                )
            )
        return account

    def restore_session(self, *, cancel: CancelToken | None = None) -> Account | None:
        """Sign in again with the refresh token kept for the last login.

        Returns the Account, or None when there is no remembered session or the server is unreachable;
        in the latter case the remembered login counts as signed in for the offline evaluation, so the
        cached licence reads OFFLINE_GRACE (or LEASE_EXPIRED), not 未登录.
        """
        # The keyring opens here even without a login to look up: a deferred watermark copy (the panel's) counts
        # from now on, in its background start-up check.
        self.credentials.open()
        login = self.settings.last_login
        token = self.credentials.load_refresh_token(login) if login else None
        if not login or not token:
            self._end_provisional_session()
            return None
        with self._lock:
            self._login, self._remember = login, True
            self.api.set_refresh_token(token)
        try:
            self.api.me(cancel=cancel)  # refreshes first; the rotated token is saved by the callback
        except NotSignedInError:
            self._forget_token(login)  # expired or revoked: it will never work again
            self._end_provisional_session()
            return None
        except NetworkError:
            self._offline_session, self._online, self._maintenance = True, False, None
            return None
        except ApiError as exc:
            if exc.code in _UNAVAILABLE_CODES:
                self._offline_session = True
                self._note_unavailable(exc)
                return None
            raise
        self._offline_session, self._maintenance = False, None
        return self.account

    def sign_out(self, *, cancel: CancelToken | None = None) -> None:
        """Log out on the server (best effort) and forget the refresh token in the keyring."""
        login = self._login
        try:
            self.api.logout(cancel=cancel)
        except ServiceError as exc:  # offline: the local sign-out still happens
            log.info("server logout failed (%s); signed out locally", exc)
        finally:
            with self._lock:
                self.api.clear_tokens()
                self._offline_session, self._server_error, self._remember = False, None, False
                if login:
                    self._forget_token(login)
                if self.settings.offline_activated or self.settings.session_remembered:
                    self._save_settings(self.settings.replace(offline_activated=False, session_remembered=False))

    def request_code(self, login: str, purpose: str, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self.api.request_code(login, purpose, cancel=cancel)

    def register(
        self,
        login: str,
        password: str,
        code: str,
        display_name: str | None = None,
        *,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        return self.api.register(login, password, code, display_name, cancel=cancel)

    def reset_password(self, login: str, code: str, new_password: str, *, cancel: CancelToken | None = None) -> None:
        self.api.reset_password(login, code, new_password, cancel=cancel)

    def demo_outbox(self, recipient: str, *, cancel: CancelToken | None = None) -> tuple[OutboxMessage, ...]:
        """The demo server's newest messages to ``recipient`` (codes, order notices), newest first.

        Only in demo mode (a real server answers NOT_FOUND): the demo has no SMS or mail gateway."""
        if not self.demo:
            return ()
        return _parsed(OutboxMessage.list_from_json, self.api.demo_outbox(recipient, cancel=cancel))

    # -- account data ------------------------------------------------------------------------------

    def me(self, *, cancel: CancelToken | None = None) -> Profile:
        """The signed-in account and its organisations."""
        return _parsed(Profile.from_json, self.api.me(cancel=cancel))

    def create_org(
        self, name: str, tax_id: str, *, market: str = "CN", cancel: CancelToken | None = None
    ) -> Organisation:
        """A new organisation buying in ``market`` (CN, VN, IR), whose rule its tax id must pass."""
        return _parsed(Organisation.from_json, self.api.create_org(name, tax_id, market=market, cancel=cancel))

    def org_licences(self, org_id: int, *, cancel: CancelToken | None = None) -> tuple[LicenceSummary, ...]:
        """The organisation's licences, listed before activating another (the wrong product is a costly mistake)."""
        return _parsed(LicenceSummary.list_from_json, self.api.org_licences(org_id, cancel=cancel))

    def ledgers(self, licence_id: int | None = None, *, cancel: CancelToken | None = None) -> LicenceLedgers:
        """The licence's ledgers with their fiscal years, and (cloud edition) how many are bought and in use."""
        return _parsed(LicenceLedgers.from_json, self.api.ledgers(self._licence_id(licence_id), cancel=cancel))

    def archive_ledger(self, ledger_id: int, *, cancel: CancelToken | None = None) -> Ledger:
        return _parsed(Ledger.from_json, self.api.archive_ledger(ledger_id, cancel=cancel))

    def create_ledger(
        self, code: str, name: str, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> Ledger:
        """A new ledger (账套) in the licence's organisation; LEDGER_LIMIT_EXCEEDED when every bought one is in use."""
        answer = self.api.create_ledger(self._licence_id(licence_id), code, name, cancel=cancel)
        return _parsed(Ledger.from_json, answer)

    def open_ledger_year(self, ledger_id: int, fiscal_year: int, *, cancel: CancelToken | None = None) -> LedgerYear:
        """Open (进入) a fiscal year of a ledger with the edition's voucher quota; the same answer when it is open."""
        return _parsed(LedgerYear.from_json, self.api.open_ledger_year(ledger_id, fiscal_year, cancel=cancel))

    # -- vouchers ----------------------------------------------------------------------------------

    def consume_vouchers(
        self, ledger_id: int, fiscal_year: int, count: int, key: str, *, cancel: CancelToken | None = None
    ) -> VoucherConsumption:
        """Count ``count`` vouchers of a ledger-year under the host's idempotency ``key`` (a retry counts once).

        The server counts when it can be reached (VOUCHER_QUOTA_EXCEEDED past the quota); when it cannot, the
        vouchers go into the offline journal within the document's offline allowance (``consume_vouchers_offline``).
        Vouchers posted offline earlier are reported first, and then the document is refreshed so it counts them.
        """
        try:
            reported = self.report_offline_vouchers(cancel=cancel)
            body = self.api.consume_vouchers(ledger_id, fiscal_year, count, key, cancel=cancel)
        except NetworkError as exc:
            log.info("vouchers counted offline: %s", exc)
            with self._lock:
                self._online, self._maintenance = False, None
            return self.consume_vouchers_offline(ledger_id, fiscal_year, count, key)
        except ApiError as exc:
            if exc.code not in _UNAVAILABLE_CODES:
                raise
            with self._lock:
                self._note_unavailable(exc)
            return self.consume_vouchers_offline(ledger_id, fiscal_year, count, key)
        result = _parsed(VoucherConsumption.from_json, body)
        with self._lock:
            self._online, self._maintenance = True, None
        if reported:
            self._refresh_quietly(cancel)
        return result

    def consume_vouchers_offline(self, ledger_id: int, fiscal_year: int, count: int, key: str) -> VoucherConsumption:
        """Record vouchers posted while the server cannot be reached, against the verified document's allowance.

        RefusedError VOUCHERS_LICENCE_NOT_USABLE when the licence is not usable offline (details ``state``), and
        OFFLINE_VOUCHER_ALLOWANCE_USED_UP past the allowance (details ``allowance``, ``offline_used``,
        ``requested``, and ``used``/``quota`` when the document lists the ledger-year). A key already in the
        journal answers ``counted=False`` and records nothing.
        """
        with self._lock:
            error = self._server_error  # a licence error the server answered earlier in this session still holds
            status = read_local_status(
                self.paths,
                now=self.now(),
                components=self.fingerprint.components(),
                trusted=self.trusted_keys,
                watermark=self.watermark,
                # As `check` sees it: the document's account, and the server out of reach.
                session=SessionFacts(
                    DOCUMENT_ACCOUNT,
                    online=False,
                    last_server_error=error.code if error else None,
                    error_details=error.details if error else {},
                ),
            )
        doc = status.document
        if doc is None or not status.usable:
            state = status.state.code.value if status.state is not None else "NOT_ACTIVATED"
            raise RefusedError(ClientErrorCode.VOUCHERS_LICENCE_NOT_USABLE, {"state": state})
        usage = doc.voucher_usage(ledger_id, fiscal_year)
        allowance = usage.offline_allowance if usage is not None else 0
        entry = JournalEntry(key, doc.licence_id, ledger_id, fiscal_year, count, self.now())
        recorded = self.voucher_journal.record(entry, allowance=allowance)
        standing = voucher_standing(usage, recorded.offline_used)
        if recorded.outcome == "refused" or standing is None:
            details = {"allowance": allowance, "offline_used": recorded.offline_used, "requested": count}
            if usage is not None:
                details.update(used=usage.used + recorded.offline_used, quota=usage.quota)
            raise RefusedError(ClientErrorCode.OFFLINE_VOUCHER_ALLOWANCE_USED_UP, details)
        counted = recorded.outcome == "recorded"
        return VoucherConsumption.recorded_offline(ledger_id, fiscal_year, standing, count, counted=counted)

    def report_offline_vouchers(self, *, cancel: CancelToken | None = None) -> int:
        """Send the journal's unreported vouchers (``offline: true``, each under its own key, so a repeated report
        counts once) and mark each one reported; answers how many were reported.

        Stops at the first network or server failure (those stay pending for the next online check). A final
        refusal (the quota and the allowance exceeded, an archived ledger) is marked and logged: the vouchers were
        posted, and sending them again changes nothing. An unknown ledger is left pending.
        """
        reported = 0
        for entry in self.voucher_journal.pending():
            try:
                body = self.api.consume_vouchers(
                    entry.ledger_id, entry.fiscal_year, entry.count, entry.key, offline=True, cancel=cancel
                )
            except ApiError as exc:
                if exc.code in (ErrorCode.LEDGER_NOT_FOUND, ErrorCode.NOT_FOUND):
                    log.warning("offline vouchers of ledger %s kept: the server does not know it", entry.ledger_id)
                    continue
                if exc.code not in _FINAL_REPORT_REFUSALS:
                    raise
                log.warning(
                    "the server refused %d offline voucher(s) of ledger %s, fiscal year %s (%s)",
                    entry.count,
                    entry.ledger_id,
                    entry.fiscal_year,
                    exc.code,
                )
                outcome: ReportOutcome = "refused"
            else:
                counted = _parsed(VoucherConsumption.from_json, body).counted
                outcome = "counted" if counted else "already_counted"
            self.voucher_journal.mark_reported(entry, outcome, self.now())
            reported += 1
        if reported:
            self.voucher_journal.compact_if_large(self.now())
        return reported

    def _report_offline_vouchers_quietly(self, cancel: CancelToken | None) -> None:
        """Best effort before an online check: a failure here shows in the check itself."""
        try:
            self.report_offline_vouchers(cancel=cancel)
        except CancelledError:
            raise
        except (ServiceError, OSError) as exc:
            log.info("offline vouchers not reported yet: %s", exc)

    def _refresh_quietly(self, cancel: CancelToken | None) -> None:
        """A fresh document after a report, so ``check`` counts the reported vouchers from the server's figures."""
        try:
            self.reauthenticate(cancel=cancel)
        except CancelledError:
            raise
        except ServiceError as exc:
            log.info("document not refreshed after reporting offline vouchers: %s", exc)

    def test_connection(
        self, settings: ClientSettings | None = None, *, cancel: CancelToken | None = None
    ) -> ConnectionReport:
        """Probe the server; with ``settings`` (typed in the settings dialog, not saved yet) a throw-away client
        built from them is probed, so nothing is saved and the session stays as it is."""
        if settings is None:
            return self.api.test_connection(cancel=cancel)
        # The saved URL is what the dialog shows; while --server/--demo overrides it, testing it unchanged
        # means testing the server this run really talks to (as apply_settings keeps the override then).
        url = settings.server_url
        if self._server_override and url == self.settings.server_url:
            url = self._server_override
        probe = ApiClient(
            url,
            proxy_mode=settings.proxy_mode,
            proxy_url=settings.proxy_url,
            ca_bundle=settings.ca_bundle,
            now=self.now,
        )
        try:
            return probe.test_connection(cancel=cancel)
        finally:
            probe.close()

    # -- licence -----------------------------------------------------------------------------------

    def local_status(self) -> LocalStatus:
        """The state from the cache alone (no network), evaluated for this session."""
        with self._lock:
            return self._status()

    def preview(self, serial: str, cdkey: str, *, cancel: CancelToken | None = None) -> ActivationPreview:
        """What the serial + CDkey would activate, for review; nothing is activated yet."""
        return _parsed(ActivationPreview.from_json, self.api.preview(serial, cdkey, cancel=cancel))

    def activate(
        self,
        serial: str,
        cdkey: str,
        org_id: int,
        machine_name: str | None = None,
        *,
        cancel: CancelToken | None = None,
    ) -> LocalStatus:
        """Activate this machine; the signed document is verified, cached, and the new status returned.

        A licence error (TOO_MANY_MACHINES, IP_BOUND_TO_OTHER_ACCOUNT…) is raised *and* recorded, so the
        状态 page shows that state until the next successful check.
        """
        components = self.fingerprint.components()
        try:
            body = self.api.activate(
                serial,
                cdkey,
                org_id,
                feature_code(components),
                components,
                machine_name or self.machine_name,
                cancel=cancel,
            )
        except ApiError as exc:
            self._record_if_state(exc)
            raise
        return self._accept(body.get("document"), nonce=None)

    def reauthenticate(self, *, cancel: CancelToken | None = None) -> LocalStatus:
        """在线认证: ask for a fresh document echoing a random nonce.

        No network → the cached status with ``online=False`` (OFFLINE_GRACE / LEASE_EXPIRED). A licence
        error → the cached document stays and the error's state shows. A document that does not verify
        or does not echo the nonce (a replayed old answer) → InvalidDocumentError, nothing saved.
        """
        licence_id = self._licence_id(None)
        # Vouchers posted offline first, so the fresh document counts them.
        self._report_offline_vouchers_quietly(cancel)
        components = self.fingerprint.components()
        nonce = secrets.token_urlsafe(24)
        try:
            body = self.api.validate(licence_id, feature_code(components), components, nonce, cancel=cancel)
        except NetworkError as exc:
            log.info("online check failed: %s", exc)
            return self._offline_status()
        except ApiError as exc:
            if exc.code in _UNAVAILABLE_CODES:
                with self._lock:
                    self._note_unavailable(exc)
                    return self._status()
            if not self._record_if_state(exc):
                raise
            with self._lock:
                self._online, self._maintenance = True, None
                return self._status()
        return self._accept(body.get("document"), nonce=nonce)

    def machines(self, licence_id: int | None = None, *, cancel: CancelToken | None = None) -> MachineList:
        """The licence's machines (default: the cached licence; after TOO_MANY_MACHINES pass its id)."""
        return _parsed(MachineList.from_json, self.api.machines(self._licence_id(licence_id), cancel=cancel))

    def deactivate(
        self, machine_id: int, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> LocalStatus:
        """Free a seat; deactivating *this* machine also forgets the cached document."""
        target = self._licence_id(licence_id)
        self.api.deactivate(target, machine_id, cancel=cancel)
        with self._lock:
            doc = self._cached_document()
            if doc is not None and doc.licence_id == target and doc.machine.id == machine_id:
                self.cache.clear()
            self._server_error = None  # a seat was freed: the old TOO_MANY_MACHINES no longer holds
            return self._status()

    def deactivate_this_machine(self, *, cancel: CancelToken | None = None) -> LocalStatus:
        """Free this computer's seat before the licence moves to a new PC; the cached document is forgotten."""
        doc = self._cached_document()
        if doc is None or doc.machine.id is None:
            raise InvalidDocumentError("no verified licence on this computer")
        return self.deactivate(doc.machine.id, doc.licence_id, cancel=cancel)

    def reregister(self, machine_name: str | None = None, *, cancel: CancelToken | None = None) -> LocalStatus:
        """重新注册 after FINGERPRINT_CHANGED: move this licence's seat to the current feature code."""
        licence_id = self._licence_id(None)
        components = self.fingerprint.components()
        name = machine_name or self.machine_name
        try:
            body = self.api.reregister(licence_id, feature_code(components), components, name, cancel=cancel)
        except ApiError as exc:
            self._record_if_state(exc)
            raise
        return self._accept(body.get("document"), nonce=None)

    def add_addon(self, cdkey: str, *, cancel: CancelToken | None = None) -> LocalStatus:
        components = self.fingerprint.components()
        body = self.api.add_addon(self._licence_id(None), cdkey, feature_code(components), components, cancel=cancel)
        return self._accept(body.get("document"), nonce=None)

    def submit_certification(
        self, name: str, tax_id: str, contact: str, org_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> LocalStatus:
        """企业认证 for the licence's organisation (default: the cached document's), then a fresh document."""
        doc = self._cached_document()
        target = org_id if org_id is not None else (doc.organisation.id if doc is not None else None)
        if target is None:
            raise InvalidDocumentError("no verified licence on this computer")
        self.api.submit_certification(target, name, tax_id, contact, cancel=cancel)
        return self.reauthenticate(cancel=cancel) if doc is not None else self.local_status()

    def support_contacts(self, market: str, *, cancel: CancelToken | None = None) -> SupportContacts:
        """联系客服 of ``market`` (app.domain.support.market_for_language), as the server publishes them."""
        return _parsed(SupportContacts.from_json, self.api.support(market, cancel=cancel))

    def announcements(self, *, cancel: CancelToken | None = None) -> list[Announcement]:
        """Announcements and maintenance windows; answered by the server even during maintenance."""
        return parse_announcements(self.api.announcements(cancel=cancel))

    def accept_offline_document(self, envelope: Any, *, nonce: str) -> LocalStatus:
        """An offline response's document (app/services/offline_files.py): verified and cached as an online one.

        An air-gapped machine cannot sign in, so unless someone is, the document's own account counts (as in
        ``status``) and the panel shows the licence, not 未登录."""
        self._accept(envelope, nonce=nonce)
        with self._lock:
            self._online = None  # a file came in: that says nothing about this machine's network
            if self.api.account is None:
                self._offline_session = True
                self._save_settings(self.settings.replace(offline_activated=True))
            return self._status()

    # -- purchase ------------------------------------------------------------------------------------

    def catalogue(
        self, ledger_id: int, fiscal_year: int, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> Catalogue:
        """What can be bought for exactly one ledger-year, with the server's purchase verdict."""
        answer = self.api.catalogue(self._licence_id(licence_id), ledger_id, fiscal_year, cancel=cancel)
        return _parsed(Catalogue.from_json, answer)

    def create_order(
        self, items: Sequence[OrderItem], licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> Order:
        body = [item.to_json() for item in items]
        return _parsed(Order.from_json, self.api.create_order(self._licence_id(licence_id), body, cancel=cancel))

    def licence_catalogue(
        self, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> LicenceCatalogue:
        """What is sold for the licence as a whole (seat packs), with its seats now and the server's verdict."""
        return _parsed(
            LicenceCatalogue.from_json, self.api.licence_catalogue(self._licence_id(licence_id), cancel=cancel)
        )

    def create_seat_order(
        self, quantity: int, sku: str = SEAT_SKU, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> Order:
        """增购台数: an order of seat packs, paid like any order; ``after_payment`` then brings the new seat maximum."""
        answer = self.api.create_seat_order(self._licence_id(licence_id), sku, quantity, cancel=cancel)
        return _parsed(Order.from_json, answer)

    def after_seat_payment(self, licence_id: int, *, cancel: CancelToken | None = None) -> LocalStatus:
        """Seats were paid for ``licence_id``: a seated computer fetches the document with the new seat maximum;
        one refused for lack of seats forgets that refusal (TOO_MANY_MACHINES no longer holds) and may activate."""
        doc = self._cached_document()
        if doc is not None and doc.licence_id == licence_id:
            return self.reauthenticate(cancel=cancel)
        with self._lock:
            if self._server_error is not None and self._server_error.code is ErrorCode.TOO_MANY_MACHINES:
                self._server_error = None
            return self._status()

    def orders(self, *, cancel: CancelToken | None = None) -> tuple[Order, ...]:
        return _parsed(orders_from_json, self.api.orders(cancel=cancel))

    def order(self, order_id: int, *, cancel: CancelToken | None = None) -> Order:
        return _parsed(Order.from_json, self.api.order(order_id, cancel=cancel))

    def request_refund(self, order_id: int, *, cancel: CancelToken | None = None) -> Order:
        return _parsed(Order.from_json, self.api.request_refund(order_id, cancel=cancel))

    def request_invoice(
        self, order_id: int, title: str, tax_id: str, email: str, *, cancel: CancelToken | None = None
    ) -> Order:
        return _parsed(Order.from_json, self.api.request_invoice(order_id, title, tax_id, email, cancel=cancel))

    def redeem_recharge_code(
        self, code: str, licence_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> RedeemResult:
        """产品充值; the caller re-authenticates afterwards so the new expiry reaches the cached document."""
        answer = self.api.redeem_recharge_code(code, self._licence_id(licence_id), cancel=cancel)
        return _parsed(RedeemResult.from_json, answer)

    # -- renewal -------------------------------------------------------------------------------------

    def renewal_quote(
        self,
        months: int,
        ledgers: int | None = None,
        licence_id: int | None = None,
        *,
        cancel: CancelToken | None = None,
    ) -> RenewalQuote:
        """Price and new expiry; LEDGER_COUNT_BELOW_IN_USE names the ledgers to archive first (cloud edition)."""
        answer = self.api.renewal_quote(self._licence_id(licence_id), months, ledgers, cancel=cancel)
        return _parsed(RenewalQuote.from_json, answer)

    def place_renewal(self, request: RenewalRequest, *, cancel: CancelToken | None = None) -> Order:
        return _parsed(Order.renewal_from_json, self.api.place_renewal(request.to_json(), cancel=cancel))

    def renewal_order(self, order_id: int, *, cancel: CancelToken | None = None) -> Order:
        """The order with each licence's line: after payment, the expiry it actually got."""
        return _parsed(Order.renewal_from_json, self.api.renewal_order(order_id, cancel=cancel))

    def customers(self, q: str = "", sort: str = "name", *, cancel: CancelToken | None = None) -> tuple[Customer, ...]:
        """A service accountant's customers (one row per licence); FORBIDDEN for other logins."""
        return tuple(_parsed(customers_from, self.api.customers(q, sort, cancel=cancel)))

    def after_payment(self, *, cancel: CancelToken | None = None) -> LocalStatus:
        """A paid order changed the entitlements: fetch a fresh signed document now (no restart, no 系统认证 visit)."""
        return self.reauthenticate(cancel=cancel)

    # -- settings ----------------------------------------------------------------------------------

    def apply_settings(self, settings: ClientSettings) -> None:
        """Save new settings; a changed server or network setting takes a new client (same server: same session)."""
        with self._lock:
            old, old_url = self.settings, self.server_url
            settings = settings.replace(**{name: getattr(old, name) for name in self.locked_settings})
            self._save_settings(settings)
            network = ("server_url", "proxy_mode", "proxy_url", "ca_bundle")
            if all(getattr(old, n) == getattr(settings, n) for n in network):
                return
            if settings.server_url != old.server_url:
                self._server_override = None  # the user chose a server: it wins over --server for this run
            refresh, account = self.api.refresh_token, self.api.account
            self.api.close()
            self.api = self._make_client(settings)
            if self.server_url == old_url:
                self.api.set_refresh_token(refresh)
                self.api.account = account
            else:  # another server knows nothing of this session
                self._offline_session, self._server_error, self._online = False, None, None

    # -- internals ---------------------------------------------------------------------------------

    def _make_client(self, settings: ClientSettings) -> ApiClient:
        return ApiClient(
            self._server_override or settings.server_url,
            proxy_mode=settings.proxy_mode,
            proxy_url=settings.proxy_url,
            ca_bundle=settings.ca_bundle,
            on_refresh_token=self._on_refresh_token,
            on_answer=self._on_answer,
            now=self.now,
        )

    def _on_answer(self, status: int) -> None:
        for listener in list(self.answer_listeners):
            listener(status)

    def _on_refresh_token(self, token: str) -> None:
        # Rotation: the old token is dead once the server answered, so the keyring must hold the new one.
        if self._remember and self._login:
            self.credentials.save_refresh_token(self._login, token)

    def _end_provisional_session(self) -> None:
        """No usable remembered session after all: only an offline activation keeps the document's account."""
        with self._lock:
            self._offline_session = self.settings.offline_activated
            if not self._offline_session:
                self._login = None
            if self.settings.session_remembered:
                self._save_settings(self.settings.replace(session_remembered=False))

    def _forget_token(self, login: str) -> None:
        try:
            self.credentials.delete(login)
        except CredentialError as exc:
            log.warning("%s", exc)

    def _save_settings(self, settings: ClientSettings) -> None:
        self.settings = settings
        try:
            save_settings(self.paths, settings)
        except OSError as exc:
            log.warning("could not save settings (%s)", exc.strerror or type(exc).__name__)

    def _record_if_state(self, exc: ApiError) -> bool:
        """Keep a licence-state error for the evaluation; False when the code is no state (wrong CDkey…)."""
        if state_for_error(exc.code) is None:
            return False
        with self._lock:
            self._server_error = ServerError(exc.code, dict(exc.details))
        return True

    def _offline_status(self) -> LocalStatus:
        with self._lock:
            self._online, self._maintenance = False, None
            return self._status()

    def _note_unavailable(self, exc: ApiError) -> None:
        """The server answered but cannot help now. Maintenance is no network failure: the cached state
        stays what it was (no OFFLINE_GRACE) and the window is kept for the banner and the retry timer."""
        if exc.code is ErrorCode.MAINTENANCE:
            self._online = None
            self._maintenance = MaintenanceWindow.from_error(exc.details, exc.retry_after, self.now())
        else:
            self._online, self._maintenance = False, None

    def _licence_id(self, given: int | None) -> int:
        if given is not None:
            return int(given)
        doc = self._cached_document()
        if doc is None:
            raise InvalidDocumentError("no verified licence on this computer")
        return doc.licence_id

    def _cached_document(self) -> LicenceDocument | None:
        envelope = self.cache.load().envelope
        if envelope is None:
            return None
        doc, _problem, _reason = verify_document(envelope, self.trusted_keys)
        return doc

    def _accept(self, envelope: Any, *, nonce: str | None) -> LocalStatus:
        """Verify, then cache: nothing reaches the disk unless it is signed by a trusted key (and echoes the nonce)."""
        try:
            verified = verify_envelope(envelope, self.trusted_keys)
            doc = LicenceDocument.from_payload(verified.payload)
        except UnknownKeyError:
            # The vendor rotated its signing key after this panel was built: the state says "update the panel".
            with self._lock:
                self._server_error = ServerError(ClientErrorCode.UNKNOWN_SIGNING_KEY, {})
            raise InvalidDocumentError("licence document refused: signed by an unknown key") from None
        except (EnvelopeError, DocumentFormatError) as exc:
            raise InvalidDocumentError(f"licence document refused: {type(exc).__name__}") from None
        if nonce is not None and not secrets.compare_digest(str(verified.payload.get("nonce") or ""), nonce):
            raise InvalidDocumentError("licence document refused: it does not answer this request (nonce)")
        with self._lock:
            now = self.now()
            self.cache.save(dict(envelope), last_online_check=now)
            # The signed server time is the authority: it also heals a watermark pushed ahead by a bad clock.
            self.watermark.reset(doc.server_time)
            self._online, self._server_error, self._maintenance = True, None, None
            return self._status()

    def _status(self) -> LocalStatus:
        """Evaluate the cache for this session; the caller holds ``_lock``."""
        error = self._server_error
        return read_local_status(
            self.paths,
            now=self.now(),
            components=self.fingerprint.components(),
            trusted=self.trusted_keys,
            watermark=self.watermark,
            session=SessionFacts(
                signed_in_account_id=self._account_id(),
                online=self._online,
                last_server_error=error.code if error else None,
                error_details=error.details if error else {},
            ),
        )

    def _account_id(self) -> SignedInAccount:
        account = self.api.account
        if account is not None and isinstance(account.get("id"), int):
            return int(account["id"])
        if self._offline_session:
            return DOCUMENT_ACCOUNT  # remembered but unconfirmed (offline): the document's own account, as `status`
        return None


# -- construction ---------------------------------------------------------------------------------------


def open_service(
    paths: AppPaths,
    *,
    server_url: str | None = None,
    demo: bool = False,
    trusted_keys: Mapping[str, Ed25519PublicKey] | None = None,
    credentials: CredentialStore | None = None,
    fingerprint: FingerprintSource | None = None,
) -> LicenceService:
    """A service from the saved settings; ``server_url`` (``--server``) overrides the saved URL for this run."""
    loaded = load_settings(paths)
    return LicenceService(
        paths,
        loaded.settings,
        credentials or CredentialStore(),
        fingerprint or SystemFingerprint(paths),
        trusted_keys if trusted_keys is not None else load_trusted(paths, demo=demo),
        server_url=server_url or None,
        demo=demo,
        locked_settings=loaded.locked,
    )
