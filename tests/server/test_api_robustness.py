"""Junk in, 4xx out: every operation of the live server's own OpenAPI document, fed what clients get wrong.

For each /api/v1 operation: no bearer token, malformed JSON, a wrong JSON type in each body field, over-long
strings, huge and negative integers in every parameter, and unknown ids. Answers must never be 5xx, every
4xx must carry the error shape of docs/PROTOCOL.md, and nothing may leak a traceback. The pages outside /api/v1 get
the no-5xx check. Requests use a real account owning a licence, ledgers, a machine and an order, so
well-formed parts reach the services and the database (PostgreSQL refuses what SQLite lets pass).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import requests
from sqlalchemy import select

from server.models import Account, Machine
from tests.support.accounts import DEFAULT_PASSWORD, auth_headers, token_for
from tests.support.live import LiveServer
from tests.support.openapi import (
    Operation,
    body_fields,
    error_shape_problem,
    example,
    fetch_spec,
    json_type,
    json_types,
    leaks_traceback,
    operations,
    replaced,
    without_null,
)
from tests.support.purchase import item, make_shop

LONG = "x" * 10_000
HUGE = 2**70
WRONG_TYPES: tuple[Any, ...] = ("junk", 7, [1], {"a": 1}, None)
MALFORMED_JSON = ("{", "[]", "null", '"x"')
# Text PostgreSQL cannot store (NUL) or UTF-8 cannot encode (a lone surrogate, legal in JSON as "\\ud800").
UNSTORABLE_TEXT = ("nul\x00byte", "lone\ud800surrogate")
UNKNOWN_ID = 999_999
MAX_REQUESTS = 3_000


@dataclass
class Probe:
    operation: str
    case: str
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    raw: str | bytes | None = None
    form: bool = False
    auth: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    # "4xx": must be refused; "401"/"404": exactly that; "any": anything but 5xx (the value may be acceptable).
    expect: str = "any"


class Prober:
    """Sends probes to the live server and collects every broken answer instead of stopping at the first."""

    def __init__(self, live: LiveServer, account_id: int) -> None:
        self.live, self.account_id = live, account_id
        self.http = live.http()
        self.token = token_for(live, account_id)
        self.sent = 0
        self.failures: list[str] = []

    def send(self, probe: Probe) -> None:
        headers = {**(auth_headers(self.token) if probe.auth else {}), **probe.headers}
        data: str | bytes | None = probe.raw
        if probe.body is not None or (probe.raw is None and probe.method in ("post", "put", "patch")):
            data = json.dumps(probe.body if probe.body is not None else {})
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded" if probe.form else "application/json"
        url = self.live.url + probe.path + (f"?{urlencode(probe.query)}" if probe.query else "")
        self.sent += 1
        try:
            response = self.http.request(probe.method.upper(), url, data=data, headers=headers, timeout=30)
        except requests.ConnectionError as exc:
            self.failures.append(f"{probe.operation} [{probe.case}]: connection dropped: {exc}")
            self.http = self.live.http()
            return
        self.check(probe, response)
        if response.status_code < 300:
            # A success may have signed the caller out (logout): the next probe gets a fresh token.
            self.token = token_for(self.live, self.account_id)

    def check(self, probe: Probe, r: requests.Response) -> None:
        status, problem = r.status_code, None
        if status >= 500:
            problem = f"answered {status}"
        elif leaks_traceback(r):
            problem = "leaks a traceback"
        elif status >= 400 and probe.path.startswith("/api/v1"):
            problem = error_shape_problem(r)
        if problem is None and probe.expect == "4xx" and not 400 <= status < 500:
            problem = f"accepted with {status}"
        if problem is None and probe.expect in ("401", "404") and str(status) != probe.expect:
            problem = f"answered {status}, not {probe.expect}"
        if problem is None and probe.expect == "401" and r.json()["error"]["code"] != "UNAUTHORIZED":
            problem = "not UNAUTHORIZED"
        if problem is not None:
            self.failures.append(f"{probe.operation} [{probe.case}]: {problem}: {r.text[:200]}")


def _out_of_bounds(spec: dict[str, Any], schema: dict[str, Any], value: Any) -> bool:
    """True when ``value`` cannot satisfy ``schema`` (strings in a query or path as the server parses them)."""
    schema = without_null(spec, schema)
    kinds = json_types(spec, schema)
    if "enum" in schema:
        return value not in schema["enum"] and str(value) not in map(str, schema["enum"])
    if isinstance(value, str) and kinds & {"integer", "number"} and "string" not in kinds:
        return True
    if "string" in kinds and "integer" not in kinds:
        return len(str(value)) > schema.get("maxLength", math.inf) or len(str(value)) < schema.get("minLength", 0)
    if isinstance(value, int):
        return value > schema.get("maximum", math.inf) or value < schema.get("minimum", -math.inf)
    return False


def _path(template: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", quote(str(value), safe=""))
    return template


def api_probes(spec: dict[str, Any], op: Operation, known: dict[str, Any]) -> Iterator[Probe]:
    path_params = {p["name"]: p for p in op.parameters("path")}
    query_params = {p["name"]: p for p in op.parameters("query")}
    path_values = {name: example(spec, p["schema"], known, name) for name, p in path_params.items()}
    query_values = {name: example(spec, p["schema"], known, name) for name, p in query_params.items()}
    body_schema = op.body_schema()
    body = example(spec, body_schema, known) if body_schema is not None else None

    def probe(case: str, expect: str = "any", *, path: dict[str, Any] | None = None, **kw: Any) -> Probe:
        kw.setdefault("query", query_values)
        kw.setdefault("body", body)
        return Probe(op.name, case, op.method, _path(op.path, path or path_values), expect=expect, **kw)

    yield probe("well-formed")
    if op.needs_bearer:
        yield probe("no bearer token", "401", auth=False)
        yield probe("junk bearer token", "401", auth=False, headers={"Authorization": "Bearer " + "x" * 300})
    if op.method in ("post", "put", "patch"):
        for raw in MALFORMED_JSON:
            refused = body_schema is not None and not (raw == "null" and not op.body_required)
            yield probe(f"body {raw}", "4xx" if refused else "any", body=None, raw=raw)
    if body_schema is not None:
        for where, schema in body_fields(spec, body_schema):
            allowed = json_types(spec, schema)
            for value in WRONG_TYPES:
                expect = "any" if json_type(value) in allowed else "4xx"
                yield probe(f"body {where} = {value!r}", expect, body=replaced(body, where, value))
            strings = (LONG, *UNSTORABLE_TEXT) if "string" in allowed else ()
            for value in strings + ((HUGE, -1) if "integer" in allowed else ()):
                expect = "4xx" if _out_of_bounds(spec, schema, value) else "any"
                yield probe(f"body {where} = {str(value)[:12]}", expect, body=replaced(body, where, value))
    for name, param in {**path_params, **query_params}.items():
        for value in (LONG, HUGE, -1):
            expect = "4xx" if _out_of_bounds(spec, param["schema"], value) else "any"
            case = f"{param['in']} {name} = {str(value)[:12]}"
            if name in path_params:
                yield probe(case, expect, path={**path_values, name: value})
            else:
                yield probe(case, expect, query={**query_values, name: value})
    for name, param in path_params.items():
        unknown = UNKNOWN_ID if "integer" in json_types(spec, param["schema"]) else "unknown-payment-0"
        # Behind a bearer token an unknown id is 404; the payment callback checks its signature first. A value
        # outside a bounded parameter that is no id (a fiscal year) is refused as invalid instead.
        expect = "404" if op.needs_bearer and not _out_of_bounds(spec, param["schema"], unknown) else "4xx"
        yield probe(f"unknown {name}", expect, path={**path_values, name: unknown})


def page_probes(known: dict[str, Any], login: str) -> Iterator[Probe]:
    """The pages outside /api/v1 (sandbox pay page, offline page, health): junk must not break them."""
    payment = known["payment_id"]
    request_file = {
        "type": "licence-panel/offline-request",
        "version": 1,
        "action": "refresh",
        "nonce": "n" * 22,
        "fingerprint": "FP",
        "components": {},
        "licence_id": known["licence_id"],
    }
    signed_in = f"login={quote(login)}&password={quote(DEFAULT_PASSWORD)}"
    odd_ids = ("/pay/%00%00%00%00%00%00%00%00", "/pay/%ff%fe%ff%fe%ff%fe%ff%fe", "/pay/%ED%A0%80%ED%A0%80%ED%A0%80")
    for path in ("/healthz", f"/pay/{payment}", "/pay/unknown-payment-0", f"/pay/{LONG}", *odd_ids, "/offline"):
        label = path[:40]
        yield Probe(f"GET {label}", "junk query", "get", path, query={"x": LONG, "method": [1]}, auth=False)
        for raw in ("{", LONG, "method=" + LONG, b"\xff\xfe\x00", "method=bitcoin", "request=%ZZ&login=%"):
            yield Probe(f"POST {label}", f"body {str(raw)[:12]!r}", "post", path, raw=raw, form=True, auth=False)
    activate = {**request_file, "action": "activate", "serial": "KJH-0000-0000-0000", "cdkey_proof": "a" * 64}
    offline_forms = {
        "huge org id": f"request={quote(json.dumps(activate))}&org_id={HUGE}",
        "superscript org id": f"request={quote(json.dumps(activate))}&org_id=%C2%B2",
        "wide digits org id": f"request={quote(json.dumps(activate))}&org_id=%D9%A3",
        "huge licence id": f"request={quote(json.dumps({**request_file, 'licence_id': HUGE}))}",
        "unknown licence": f"request={quote(json.dumps({**request_file, 'licence_id': UNKNOWN_ID}))}",
        "long machine name": f"request={quote(json.dumps({**request_file, 'machine_name': LONG}))}",
        "NUL in the file": f"request={quote(json.dumps({**request_file, 'machine_name': 'a' + chr(0)}))}",
        "surrogate in the file": f"request={quote(json.dumps({**request_file, 'machine_name': chr(0xD800)}))}",
    }
    yield Probe("POST /offline", "NUL in the login", "post", "/offline", raw="request=%7B%7D&login=a%00b", form=True)
    for case, form in offline_forms.items():
        raw = f"{form}&{signed_in}"
        yield Probe("POST /offline", f"signed in, {case}", "post", "/offline", raw=raw, form=True, expect="4xx")


def _seed(live: LiveServer) -> tuple[int, str, dict[str, Any]]:
    """An account with an organisation, an active licence, two ledgers, a machine and an unpaid order."""
    shop = make_shop(live, edition="cloud")
    order = shop.new_order(item("period_close", shop.ledger_a, 2025))
    with live.session() as s:
        machine_id = s.scalars(select(Machine.id).where(Machine.licence_id == shop.licence_id)).first()
        account = s.get(Account, shop.account_id)
        assert account is not None
        login = account.login
    known = {
        "licence_id": shop.licence_id,
        "org_id": shop.org_id,
        "ledger_id": shop.ledger_a,
        "order_id": order["id"],
        "machine_id": machine_id,
        "payment_id": order["payment"]["id"],
        "fiscal_year": 2025,
        "months": 12,
        "sku": "period_close",
        "cdkey_proof": "0" * 64,  # an offline request's proof: 64 hex digits
    }
    return shop.account_id, login, known


@pytest.mark.timeout(240)
def test_every_operation_answers_junk_with_a_4xx_in_the_error_shape(live_server: LiveServer) -> None:
    started = time.monotonic()
    account_id, login, known = _seed(live_server)
    prober = Prober(live_server, account_id)
    spec = fetch_spec(live_server.url, prober.http)
    api = [op for op in operations(spec) if op.path.startswith("/api/v1")]
    assert len(api) >= 30, "the document lists the API's operations"

    for op in api:
        for probe in api_probes(spec, op, known):
            prober.send(probe)
    for probe in page_probes(known, login):
        prober.send(probe)

    elapsed = time.monotonic() - started
    print(f"\n{live_server.ctx.settings.database_url.split(':')[0]}: {prober.sent} requests in {elapsed:.1f} s")
    assert prober.sent <= MAX_REQUESTS
    assert not prober.failures, f"{len(prober.failures)} broken answers:\n" + "\n".join(prober.failures[:60])


def test_text_no_database_can_store_is_a_validation_error_naming_the_field(live_server: LiveServer) -> None:
    account_id, _login, _known = _seed(live_server)
    http, headers = live_server.http(), auth_headers(token_for(live_server, account_id))
    for name in ("示例\u0000公司", "示例\ud800公司"):
        r = http.post(f"{live_server.url}/api/v1/orgs", data=json.dumps({"name": name}), headers=headers, timeout=10)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert [e["loc"] for e in error["details"]["errors"]] == [["body", "name"]]
    r = http.get(f"{live_server.url}/api/v1/customers", params={"q": "a\u0000"}, headers=headers, timeout=10)
    assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["loc"] == ["query"]
    # An escaped backslash is ordinary text, not an escape sequence.
    r = http.post(f"{live_server.url}/api/v1/orgs", json={"name": "A\\u0000 Ltd"}, headers=headers, timeout=10)
    assert r.status_code == 201 and r.json()["name"] == "A\\u0000 Ltd"
