"""HTTP client of the licence server API: timeouts, bounded retries, proxy and CA settings, token refresh.

One method per endpoint of docs/ARCHITECTURE.md; each returns the parsed JSON body (or None for 204)
and raises only ``ServiceError`` subclasses (app/services/errors.py).

Cancelling: every method takes ``cancel=`` — any object with ``is_set()`` (a ``threading.Event``).
With a token, the request runs on a short-lived helper thread while the calling (worker) thread
watches the token; once it is set the call raises ``CancelledError`` at once. The abandoned request
ends by its own timeout and its answer is dropped — except a refresh-token rotation, which is still
stored, so a cancel can never lose the only valid refresh token. The UI keeps one Event per running
operation and sets it from its Cancel button (or when the window closes).
"""

from __future__ import annotations

import email.utils
import functools
import logging
import socket
import threading
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from licence_protocol.dates import parse_iso
from licence_protocol.errors import ErrorCode

from app.domain.connection import ConnectionReport
from app.domain.error_codes import server_error_code
from app.i18n import current_language
from app.services.errors import ApiError, CancelledError, NetworkError, NetworkErrorKind, NotSignedInError

# requests and urllib3 (~270 ms, ~18 MB) are imported by the first request, on a worker thread after the
# panel's first paint, never when a client is built: the window must not wait for them.
if TYPE_CHECKING:
    import requests
    from urllib3.util.retry import Retry

_T = TypeVar("_T")
log = logging.getLogger(__name__)

ProxyMode = Literal["system", "none", "manual"]
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)  # (connect, read) seconds
# A Retry-After longer than this (a maintenance window, a long rate limit) is surfaced to the user
# with its time instead of being slept through on a worker thread.
MAX_RETRY_AFTER_S = 5.0
_CANCEL_POLL_S = 0.05
# Never POST: an activation or a login must not be sent twice because a read timed out.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class CancelToken(Protocol):
    def is_set(self) -> bool: ...


@functools.cache
def _bounded_retry() -> type[Retry]:
    """urllib3's Retry, giving up at once when the server asks to wait longer than MAX_RETRY_AFTER_S.

    A class made on first use (once: Retry copies itself through ``type(self)``) so urllib3 loads with the session.
    """
    from urllib3.exceptions import MaxRetryError, ResponseError
    from urllib3.util.retry import Retry

    class BoundedRetry(Retry):
        def increment(self, method: Any = None, url: Any = None, response: Any = None, *args: Any, **kw: Any) -> Any:
            if response is not None:
                wait = self.get_retry_after(response)
                if wait is not None and wait > MAX_RETRY_AFTER_S:
                    # raise_on_status=False makes urlopen hand this response back to us unchanged.
                    raise MaxRetryError(kw.get("_pool"), url, ResponseError("Retry-After too long"))  # type: ignore[arg-type]
            return super().increment(method, url, response, *args, **kw)

    return BoundedRetry


def _retry_policy() -> Retry:
    return _bounded_retry()(
        total=3,
        connect=1,  # nothing was sent, so even a POST may try to connect twice
        read=1,  # only for idempotent methods (urllib3 checks allowed_methods for read errors)
        status=2,
        other=0,
        backoff_factor=0.25,
        backoff_max=2.0,
        status_forcelist=(502, 503, 504),
        allowed_methods=_IDEMPOTENT,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


def accept_language(language: str) -> str:
    """The ``Accept-Language`` of a UI language: ``zh_CN`` → ``zh-CN``, ``vi`` → ``vi``."""
    return language.replace("_", "-")


class ApiClient:
    """A requests.Session bound to one server; holds the access token in memory only."""

    def __init__(
        self,
        base_url: str,
        *,
        proxy_mode: ProxyMode = "system",
        proxy_url: str | None = None,
        ca_bundle: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        on_refresh_token: Callable[[str], None] | None = None,
        on_answer: Callable[[int], None] | None = None,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("server URL must start with http:// or https://")
        if proxy_mode == "manual" and not proxy_url:
            raise ValueError("manual proxy mode needs a proxy URL")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.on_refresh_token = on_refresh_token  # called with each rotated refresh token (to store it)
        # Called (on the calling thread) with the HTTP status of every answer: the server was reached.
        self.on_answer = on_answer
        self._now = now
        self._verify: bool | str = ca_bundle or True  # TLS verification is never switched off
        self._proxy_mode = proxy_mode
        self._proxy_url = proxy_url
        # Made by the first request (see ``_http``); the lock, because two worker threads may make it at once.
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self._token_lock = threading.Lock()
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self.account: dict[str, Any] | None = None  # the signed-in Account, as login/refresh returned it

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r}, signed_in={self.has_session})"

    def close(self) -> None:
        with self._session_lock:  # a request after close() makes a new session (a closed requests.Session reopens too)
            session, self._session = self._session, None
        if session is not None:
            session.close()

    def _http(self) -> requests.Session:
        """The requests.Session, made on first use: requests is imported here, off the GUI thread."""
        with self._session_lock:
            if self._session is None:
                self._session = _new_session(self._proxy_mode, self._proxy_url)
            return self._session

    # -- session state ---------------------------------------------------------------------------

    @property
    def has_session(self) -> bool:
        return self._access_token is not None or self._refresh_token is not None

    @property
    def refresh_token(self) -> str | None:
        return self._refresh_token

    def set_refresh_token(self, token: str | None) -> None:
        """Start from a refresh token kept in the keyring; the first call refreshes."""
        with self._token_lock:
            self._refresh_token = token
            self._access_token = None

    def clear_tokens(self) -> None:
        with self._token_lock:
            self._access_token = None
            self._refresh_token = None
            self.account = None

    # -- auth --------------------------------------------------------------------------------------

    def login(self, login: str, password: str, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            body = _object(self._send("POST", "/api/v1/auth/login", json={"login": login, "password": password}))
            with self._token_lock:
                self._accept_tokens(body, notify=False)  # the caller decides whether to remember
            return body

        return _cancellable(run, cancel)

    def refresh(self, *, cancel: CancelToken | None = None) -> str:
        """Rotate the refresh token now; returns the new one (also handed to ``on_refresh_token``)."""

        def run() -> str:
            self._refresh(stale=self._access_token, force=True)
            assert self._refresh_token is not None
            return self._refresh_token

        return _cancellable(run, cancel)

    def logout(self, *, cancel: CancelToken | None = None) -> None:
        def run() -> None:
            refresh = self._refresh_token
            try:
                if self._access_token is not None or refresh is not None:
                    self._authorised("POST", "/api/v1/auth/logout", json={"refresh_token": refresh})
            finally:
                self.clear_tokens()

        _cancellable(run, cancel)

    def request_code(self, login: str, purpose: str, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        body = {"login": login, "purpose": purpose}
        return self._public_object("POST", "/api/v1/auth/verification-codes", body, cancel)

    def register(
        self,
        login: str,
        password: str,
        code: str,
        display_name: str | None = None,
        *,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"login": login, "password": password, "code": code}
        if display_name:
            body["display_name"] = display_name
        return self._public_object("POST", "/api/v1/auth/register", body, cancel)

    def reset_password(self, login: str, code: str, new_password: str, *, cancel: CancelToken | None = None) -> None:
        body = {"login": login, "code": code, "new_password": new_password}
        _cancellable(lambda: self._send("POST", "/api/v1/auth/password-reset", json=body), cancel)

    # -- account and organisations -----------------------------------------------------------------

    def me(self, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", "/api/v1/me", cancel=cancel)

    def create_org(
        self, name: str, tax_id: str, *, market: str = "CN", cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        body = {"name": name, "tax_id": tax_id, "market": market}
        return self._object("POST", "/api/v1/orgs", json=body, cancel=cancel)

    def org_licences(self, org_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", f"/api/v1/orgs/{int(org_id)}/licences", cancel=cancel)

    def submit_certification(
        self, org_id: int, name: str, tax_id: str, contact: str, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        """企业认证: the organisation's details for review; answers the Organisation with its new certification."""
        body = {"name": name, "tax_id": tax_id, "contact": contact}
        return self._object("POST", f"/api/v1/orgs/{int(org_id)}/certification", json=body, cancel=cancel)

    # -- activation --------------------------------------------------------------------------------

    def preview(self, serial: str, cdkey: str, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        body = {"serial": serial, "cdkey": cdkey}
        return self._object("POST", "/api/v1/activations/preview", json=body, cancel=cancel)

    def activate(
        self,
        serial: str,
        cdkey: str,
        org_id: int,
        fingerprint: str,
        components: dict[str, str],
        machine_name: str,
        *,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        body = {
            "serial": serial,
            "cdkey": cdkey,
            "org_id": int(org_id),
            "fingerprint": fingerprint,
            "components": components,
            "machine_name": machine_name,
        }
        return self._object("POST", "/api/v1/activations", json=body, cancel=cancel)

    def validate(
        self,
        licence_id: int,
        fingerprint: str,
        components: dict[str, str],
        nonce: str,
        *,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        body = {"fingerprint": fingerprint, "components": components, "nonce": nonce}
        return self._object("POST", f"/api/v1/licences/{int(licence_id)}/validate", json=body, cancel=cancel)

    def machines(self, licence_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", f"/api/v1/licences/{int(licence_id)}/machines", cancel=cancel)

    def deactivate(self, licence_id: int, machine_id: int, *, cancel: CancelToken | None = None) -> None:
        path = f"/api/v1/licences/{int(licence_id)}/machines/{int(machine_id)}"
        _cancellable(lambda: self._authorised("DELETE", path), cancel)

    def reregister(
        self,
        licence_id: int,
        fingerprint: str,
        components: dict[str, str],
        machine_name: str,
        *,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        body = {"fingerprint": fingerprint, "components": components, "machine_name": machine_name}
        return self._object("POST", f"/api/v1/licences/{int(licence_id)}/reregister", json=body, cancel=cancel)

    def add_addon(
        self,
        licence_id: int,
        cdkey: str,
        fingerprint: str,
        components: dict[str, str],
        *,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        # The fresh document is issued for this machine, so it carries our feature code like any other.
        body = {"cdkey": cdkey, "fingerprint": fingerprint, "components": components}
        return self._object("POST", f"/api/v1/licences/{int(licence_id)}/addons", json=body, cancel=cancel)

    # -- ledgers -----------------------------------------------------------------------------------

    def ledgers(self, licence_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", f"/api/v1/licences/{int(licence_id)}/ledgers", cancel=cancel)

    def archive_ledger(self, ledger_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("POST", f"/api/v1/ledgers/{int(ledger_id)}/archive", cancel=cancel)

    def create_ledger(
        self, licence_id: int, code: str, name: str, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        body = {"code": code, "name": name}
        return self._object("POST", f"/api/v1/licences/{int(licence_id)}/ledgers", json=body, cancel=cancel)

    def open_ledger_year(
        self, ledger_id: int, fiscal_year: int, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        body = {"fiscal_year": int(fiscal_year)}
        return self._object("POST", f"/api/v1/ledgers/{int(ledger_id)}/years", json=body, cancel=cancel)

    def consume_vouchers(
        self,
        ledger_id: int,
        fiscal_year: int,
        count: int,
        idempotency_key: str,
        *,
        offline: bool = False,
        cancel: CancelToken | None = None,
    ) -> dict[str, Any]:
        """Count vouchers; the key makes a retry (or a report of vouchers posted offline) count once only."""
        path = f"/api/v1/ledgers/{int(ledger_id)}/years/{int(fiscal_year)}/voucher-usage"
        body = {"count": int(count), "idempotency_key": idempotency_key, "offline": offline}
        return self._object("POST", path, json=body, cancel=cancel)

    # -- purchase ------------------------------------------------------------------------------------

    def catalogue(
        self, licence_id: int, ledger_id: int, fiscal_year: int, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        query = f"licence_id={int(licence_id)}&ledger_id={int(ledger_id)}&fiscal_year={int(fiscal_year)}"
        return self._object("GET", f"/api/v1/catalogue?{query}", cancel=cancel)

    def create_order(
        self, licence_id: int, items: list[dict[str, Any]], *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        """Items name ``sku``, ``ledger_id``, ``fiscal_year``, ``quantity`` only: the server prices them."""
        fields = ("sku", "ledger_id", "fiscal_year", "quantity")
        body = {"licence_id": int(licence_id), "items": [{k: item[k] for k in fields} for item in items]}
        return self._object("POST", "/api/v1/orders", json=body, cancel=cancel)

    def licence_catalogue(self, licence_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", f"/api/v1/licences/{int(licence_id)}/catalogue", cancel=cancel)

    def create_seat_order(
        self, licence_id: int, sku: str, quantity: int, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        """A seat pack for the licence: ``sku`` and ``quantity`` only, the server prices it."""
        body = {"sku": sku, "quantity": int(quantity)}
        return self._object("POST", f"/api/v1/licences/{int(licence_id)}/seat-orders", json=body, cancel=cancel)

    def orders(self, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", "/api/v1/orders", cancel=cancel)

    def order(self, order_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", f"/api/v1/orders/{int(order_id)}", cancel=cancel)

    def request_refund(self, order_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("POST", f"/api/v1/orders/{int(order_id)}/refund-request", cancel=cancel)

    def request_invoice(
        self, order_id: int, title: str, tax_id: str, email: str, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        body = {"title": title, "tax_id": tax_id, "email": email}
        return self._object("POST", f"/api/v1/orders/{int(order_id)}/invoice", json=body, cancel=cancel)

    def offline_activation(
        self, request_json: dict[str, Any], org_id: int | None = None, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        """Upload an offline machine's request file for the signed-in account; answers the response file's JSON.

        ``org_id`` sets (or replaces) the receiving organisation, as docs/OFFLINE.md allows the uploader to."""
        body = dict(request_json)
        if org_id is not None:
            body["org_id"] = int(org_id)
        return self._object("POST", "/api/v1/offline-activations", json=body, cancel=cancel)

    def redeem_recharge_code(self, code: str, licence_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        body = {"code": code, "licence_id": int(licence_id)}
        return self._object("POST", "/api/v1/recharge-codes/redeem", json=body, cancel=cancel)

    # -- renewal -------------------------------------------------------------------------------------

    def renewal_quote(
        self, licence_id: int, months: int, ledgers: int | None = None, *, cancel: CancelToken | None = None
    ) -> dict[str, Any]:
        query = f"months={int(months)}" + (f"&ledgers={int(ledgers)}" if ledgers is not None else "")
        return self._object("GET", f"/api/v1/licences/{int(licence_id)}/renewal-quote?{query}", cancel=cancel)

    def place_renewal(self, body: dict[str, Any], *, cancel: CancelToken | None = None) -> dict[str, Any]:
        """``{items: [{licence_id, months, ledgers?}], invoice_recipient, notify_recipient}``: the server prices it."""
        return self._object("POST", "/api/v1/renewals", json=body, cancel=cancel)

    def renewal_order(self, order_id: int, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._object("GET", f"/api/v1/renewals/{int(order_id)}", cancel=cancel)

    def customers(self, q: str = "", sort: str = "name", *, cancel: CancelToken | None = None) -> dict[str, Any]:
        query = urllib.parse.urlencode({"q": q, "sort": sort})
        return self._object("GET", f"/api/v1/customers?{query}", cancel=cancel)

    # -- service -----------------------------------------------------------------------------------

    def keys(self, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._public_object("GET", "/api/v1/keys", None, cancel)

    def announcements(self, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._public_object("GET", "/api/v1/announcements", None, cancel)

    def support(self, market: str, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        """联系客服: the customer service of ``market`` (CN, VN, IR); no sign-in needed."""
        query = urllib.parse.urlencode({"market": market})
        return self._public_object("GET", f"/api/v1/support?{query}", None, cancel)

    def health(self, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        return self._public_object("GET", "/healthz", None, cancel)

    def demo_outbox(self, recipient: str, *, cancel: CancelToken | None = None) -> dict[str, Any]:
        """The demo server's newest messages to ``recipient`` (404 NOT_FOUND on any other server)."""
        query = urllib.parse.urlencode({"recipient": recipient})
        return self._public_object("GET", f"/api/v1/demo/outbox?{query}", None, cancel)

    def test_connection(self, *, cancel: CancelToken | None = None) -> ConnectionReport:
        """Probe ``/healthz``: names the failing layer (DNS, proxy, TLS…) or reports the server's clock skew."""
        started = self._now()
        try:
            body = self.health(cancel=cancel)
        except NetworkError as exc:
            if exc.kind == "bad_response":
                return ConnectionReport("not_our_api", status=exc.status, detail=exc.detail)
            return ConnectionReport(exc.kind, status=exc.status, detail=exc.detail)
        except ApiError as exc:
            outcome: Literal["maintenance", "server_error"] = (
                "maintenance" if exc.code is ErrorCode.MAINTENANCE else "server_error"
            )
            return ConnectionReport(outcome, status=exc.status, retry_after=exc.retry_after, detail=str(exc.code))
        finished = self._now()
        server_time = parse_iso(body.get("time")) if body.get("status") == "ok" else None
        if server_time is None:
            return ConnectionReport("not_our_api", status=200, detail="health answer has an unexpected shape")
        local_midpoint = started + (finished - started) / 2
        return ConnectionReport("ok", status=200, server_time=server_time, clock_skew=server_time - local_midpoint)

    # -- plumbing ----------------------------------------------------------------------------------

    def _public_object(self, method: str, path: str, body: Any, cancel: CancelToken | None) -> dict[str, Any]:
        return _cancellable(lambda: _object(self._send(method, path, json=body)), cancel)

    def _object(self, method: str, path: str, *, json: Any = None, cancel: CancelToken | None = None) -> dict[str, Any]:
        return _cancellable(lambda: _object(self._authorised(method, path, json=json)), cancel)

    def _authorised(self, method: str, path: str, *, json: Any = None) -> Any:
        """Send with the bearer token; on 401 refresh once (if a refresh token is held) and retry once."""
        token = self._access_token
        if token is None:
            token = self._refresh(stale=None)
        try:
            return self._send(method, path, json=json, token=token)
        except ApiError as exc:
            if exc.status != 401 or exc.code is not ErrorCode.UNAUTHORIZED:
                raise
            if self._refresh_token is None:
                self.clear_tokens()
                raise NotSignedInError("session expired") from None
        return self._send(method, path, json=json, token=self._refresh(stale=token))

    def _refresh(self, *, stale: str | None, force: bool = False) -> str:
        """A fresh access token. Serialised: two threads seeing the same 401 must not both spend the
        refresh token, since reusing a rotated one makes the server revoke the whole family."""
        with self._token_lock:
            current = self._access_token
            if not force and current is not None and current != stale:
                return current  # another thread refreshed meanwhile
            refresh = self._refresh_token
            if refresh is None:
                raise NotSignedInError()
            try:
                body = _object(self._send("POST", "/api/v1/auth/refresh", json={"refresh_token": refresh}))
            except ApiError as exc:
                if exc.status in (400, 401, 422) or exc.code is ErrorCode.UNAUTHORIZED:
                    self._access_token = self._refresh_token = None
                    self.account = None
                    raise NotSignedInError("session expired") from None
                raise
            return self._accept_tokens(body, notify=True)

    def _accept_tokens(self, body: dict[str, Any], *, notify: bool) -> str:
        """Take the tokens of a login/refresh answer; the caller holds ``_token_lock``."""
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
            raise NetworkError("bad_response", "token answer without tokens")
        self._access_token, self._refresh_token = access, refresh
        account = body.get("account")
        if isinstance(account, dict):
            self.account = account
        if notify and self.on_refresh_token is not None:
            try:
                self.on_refresh_token(refresh)
            except Exception as exc:  # a broken keyring must not break the session that just worked
                log.warning("could not store the rotated refresh token (%s)", type(exc).__name__)
        return access

    def _send(self, method: str, path: str, *, json: Any = None, token: str | None = None) -> Any:
        # The UI language, so item names and anything else the server words come back in it.
        headers = {"Accept": "application/json", "Accept-Language": accept_language(current_language())}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        session = self._http()
        import requests  # loaded by self._http(): a lookup in sys.modules

        try:
            response = session.request(
                method, self.base_url + path, json=json, headers=headers, timeout=self.timeout, verify=self._verify
            )
        except requests.RequestException as exc:
            error = network_error_from(exc)
            log.info("%s %s failed: %s", method, path, error)
            raise error from None  # requests' text can carry a proxy URL with credentials
        log.debug("%s %s -> %s", method, path, response.status_code)
        if self.on_answer is not None:
            try:
                self.on_answer(response.status_code)
            except Exception:  # a listener's fault must not fail the call that succeeded
                log.warning("answer listener failed", exc_info=True)
        return _parse_response(response)


def _new_session(proxy_mode: ProxyMode, proxy_url: str | None) -> requests.Session:
    import requests
    import requests.adapters

    session = requests.Session()
    # system: requests reads HTTP(S)_PROXY / NO_PROXY and the OS settings (Windows registry, macOS).
    session.trust_env = proxy_mode == "system"
    if proxy_mode == "manual":
        session.proxies = {"http": str(proxy_url), "https": str(proxy_url)}
    adapter = requests.adapters.HTTPAdapter(max_retries=_retry_policy())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise NetworkError("bad_response", "expected a JSON object")
    return body


def _cancellable(run: Callable[[], _T], cancel: CancelToken | None) -> _T:
    """Run ``run`` here, or — with a cancel token — on a helper thread that can be abandoned."""
    if cancel is None:
        return run()
    if cancel.is_set():
        raise CancelledError()
    done = threading.Event()
    outcome: dict[str, Any] = {}  # "value": T or "error": BaseException, set by the helper thread

    def target() -> None:
        try:
            outcome["value"] = run()
        except BaseException as exc:  # handed to the waiting thread below
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="api-call", daemon=True).start()
    while not done.wait(_CANCEL_POLL_S):
        if cancel.is_set():
            raise CancelledError()
    if "error" in outcome:
        raise outcome["error"]
    value: _T = outcome["value"]
    return value


def _parse_response(response: requests.Response) -> Any:
    status = response.status_code
    if status == 204 or (200 <= status < 300 and not response.content):
        return None
    try:
        body = response.json()
    except ValueError:
        body = _NOT_JSON
    if 200 <= status < 300:
        if body is _NOT_JSON:
            raise NetworkError("bad_response", "answer is not JSON", status=status)
        return body
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if not isinstance(error, dict) or not isinstance(code, str) or not code:
        # A captive portal, a proxy's error page, another web server: not our API talking.
        raise NetworkError("bad_response", "error answer without the API error shape", status=status)
    raw_details, raw_message = error.get("details"), error.get("message")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    message = raw_message if isinstance(raw_message, str) else ""
    retry_after = _retry_after(response.headers.get("Retry-After"), details)
    raise ApiError(server_error_code(code), message, details, status, retry_after)


_NOT_JSON = object()


def _retry_after(header: str | None, details: dict[str, Any]) -> float | None:
    if header:
        header = header.strip()
        if header.isdigit():
            return float(header)
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    value = details.get("retry_after")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def network_error_from(exc: requests.RequestException) -> NetworkError:
    """Map a requests exception onto the kinds the UI explains (DNS, proxy, TLS, timeout, connect)."""
    # Only called with an exception requests raised, so both are loaded already (lookups in sys.modules).
    import requests
    import urllib3.exceptions
    from urllib3.exceptions import NameResolutionError, NewConnectionError

    kind: NetworkErrorKind
    if isinstance(exc, requests.exceptions.ProxyError):
        kind = "proxy"
    elif isinstance(exc, requests.exceptions.SSLError):
        kind = "tls"
    elif isinstance(exc, requests.exceptions.Timeout):
        kind = "timeout"
    elif isinstance(exc, requests.exceptions.ConnectionError):
        # After retries requests wraps everything in ConnectionError(MaxRetryError(reason)): look inside.
        if _caused_by(exc, (NameResolutionError, socket.gaierror)):
            kind = "dns"
        elif _caused_by(exc, (NewConnectionError, ConnectionRefusedError)):  # before timeouts: a subclass of one
            kind = "connect"
        elif _caused_by(exc, (urllib3.exceptions.TimeoutError, TimeoutError)):
            kind = "timeout"
        else:
            kind = "connect"
    elif isinstance(
        exc,
        requests.exceptions.ChunkedEncodingError
        | requests.exceptions.ContentDecodingError
        | requests.exceptions.TooManyRedirects
        | requests.exceptions.InvalidHeader
        | requests.exceptions.RetryError,
    ):
        kind = "bad_response"
    else:  # InvalidURL and friends: the configured address cannot be used to connect
        kind = "connect"
    return NetworkError(kind, type(exc).__name__)


def _caused_by(exc: BaseException, types: tuple[type[BaseException], ...]) -> bool:
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, types):
            return True
        stack.extend([*item.args, getattr(item, "reason", None), item.__cause__, item.__context__])
    return False
