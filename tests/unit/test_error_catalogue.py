"""The error catalogue: every code the server or the client can raise has a status, a meaning and translated words.

Walks every ``ErrorCode`` of the protocol and every ``ClientErrorCode``; then checks that no error code is
spelled as a bare string anywhere else, on the client or in the server's raises.
"""

from __future__ import annotations

import ast
import json
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from licence_protocol.errors import ErrorCode

from app.domain.error_catalogue import (
    ERROR_CATALOGUE,
    GENERIC_MESSAGE,
    error_message,
    message_ids,
    placeholders,
    state_for_error,
)
from app.domain.error_codes import ClientErrorCode, KnownErrorCode, UnknownErrorCode, server_error_code
from app.domain.states import CATALOGUE as STATE_CATALOGUE
from app.domain.states import StateCode
from app.resources import resource_path
from app.services.errors import ApiError

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("zh_CN", "vi", "fa")  # English is the msgid itself
ALL_CODES: tuple[KnownErrorCode, ...] = (*ErrorCode, *ClientErrorCode)


def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads(resource_path("i18n", f"{lang}.json").read_text(encoding="utf-8"))
    return data


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_every_server_code_has_an_http_error_status_and_documented_detail_keys(code: ErrorCode) -> None:
    assert 400 <= code.status <= 599
    assert isinstance(code.details, tuple) and all(isinstance(key, str) and key for key in code.details)
    assert len(set(code.details)) == len(code.details)


@pytest.mark.parametrize("code", ALL_CODES, ids=str)
def test_every_code_means_something_to_the_client(code: KnownErrorCode) -> None:
    meaning = ERROR_CATALOGUE[code]
    assert meaning.message.strip() and meaning.message != GENERIC_MESSAGE
    msgid, _ = error_message(code, {})
    assert msgid != GENERIC_MESSAGE
    assert state_for_error(code) is meaning.state
    assert meaning.state is None or meaning.state in STATE_CATALOGUE


@pytest.mark.parametrize("code", ALL_CODES, ids=str)
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_code_is_worded_in_every_language(code: KnownErrorCode, lang: str) -> None:
    table = _catalogue(lang)
    for msgid in message_ids(ERROR_CATALOGUE[code]):
        assert table.get(msgid, "").strip(), f"{lang}.json lacks the text of {code}: {msgid!r}"
        assert _fields(table[msgid]) == _fields(msgid), f"{lang}.json changes the placeholders of {msgid!r}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_generic_message_of_an_unknown_code_is_translated(lang: str) -> None:
    assert _fields(_catalogue(lang)[GENERIC_MESSAGE]) == {"code"}


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_a_server_code_is_worded_only_from_its_documented_details(code: ErrorCode) -> None:
    meaning = ERROR_CATALOGUE[code]
    used = set().union(*(placeholders(text) for text in message_ids(meaning)))
    assert used <= set(code.details), f"{code} is worded with {used - set(code.details)}, not in its details"


def test_the_catalogue_holds_exactly_the_server_and_client_codes() -> None:
    assert set(ERROR_CATALOGUE) == set(ALL_CODES)
    assert all(isinstance(code, ErrorCode | ClientErrorCode) for code in ERROR_CATALOGUE)
    # Both enums are str: one value in both would make the two members one key of the table.
    assert not {c.value for c in ErrorCode} & {c.value for c in ClientErrorCode}


def test_licence_states_come_only_from_the_licence_checks() -> None:
    states = {code: meaning.state for code, meaning in ERROR_CATALOGUE.items() if meaning.state is not None}
    assert states == {
        ErrorCode.TOO_MANY_MACHINES: StateCode.TOO_MANY_MACHINES,
        ErrorCode.IP_BOUND_TO_OTHER_ACCOUNT: StateCode.IP_BOUND_TO_OTHER_ACCOUNT,
        ErrorCode.ACTIVATION_LIMIT_REACHED: StateCode.ACTIVATION_LIMIT_REACHED,
        ErrorCode.FINGERPRINT_CHANGED: StateCode.FINGERPRINT_CHANGED,
        ErrorCode.LICENCE_EXPIRED: StateCode.EXPIRED,
        ErrorCode.LICENCE_SUSPENDED: StateCode.SUSPENDED,
        ErrorCode.NOT_ACTIVATED_ON_MACHINE: StateCode.NOT_ACTIVATED,
        ErrorCode.LICENCE_OWNED_BY_OTHER_ACCOUNT: StateCode.ACCOUNT_MISMATCH,
        ClientErrorCode.UNKNOWN_SIGNING_KEY: StateCode.PANEL_UPDATE_REQUIRED,  # a fresh document, newer key
    }


class TestUnknownCodes:
    def test_a_newer_servers_code_stays_visible_and_blocks(self) -> None:
        code = server_error_code("QUANTUM_FLUX")
        assert code == UnknownErrorCode("QUANTUM_FLUX") and str(code) == "QUANTUM_FLUX"
        assert state_for_error(code) is StateCode.UNKNOWN_BLOCKED
        assert error_message(code, {"anything": 1}) == (GENERIC_MESSAGE, {"code": "QUANTUM_FLUX"})

    def test_a_known_code_parses_to_its_member(self) -> None:
        assert server_error_code("TOO_MANY_MACHINES") is ErrorCode.TOO_MANY_MACHINES

    def test_a_client_code_sent_by_a_server_is_not_a_client_failure(self) -> None:
        assert server_error_code("NETWORK_ERROR") == UnknownErrorCode("NETWORK_ERROR")


class TestMessages:
    def test_details_choose_the_precise_or_the_vague_text(self) -> None:
        precise, fmt = error_message(ErrorCode.INVALID_CREDENTIALS, {"attempts_left": 2})
        assert "{attempts_left}" in precise and fmt == {"attempts_left": 2}
        plain, _ = error_message(ErrorCode.INVALID_CREDENTIALS, {"attempts_left": ""})
        assert plain == "Wrong login or password."
        vague, fmt = error_message(ErrorCode.TOO_MANY_MACHINES, {"machines": []})
        assert "{" not in vague and fmt == {}
        full, fmt = error_message(ErrorCode.TOO_MANY_MACHINES, {"seats_max": 3, "machines": []})
        assert "{seats_max}" in full and fmt["seats_max"] == 3

    def test_details_are_read_into_words(self) -> None:
        unlock = datetime(2026, 11, 25, 8, 15, tzinfo=UTC).isoformat()
        assert error_message(ErrorCode.ACCOUNT_LOCKED, {"unlock_at": unlock}, tz=UTC)[1] == {
            "unlock_at": datetime(2026, 11, 25, 8, 15, tzinfo=UTC)
        }
        assert error_message(ErrorCode.RATE_LIMITED, {"retry_after": 0.2})[1] == {"retry_after": 1}
        counts: dict[str, Any] = {"reregistrations": {"used": 3, "limit": 3}}
        assert error_message(ErrorCode.REREGISTER_LIMIT_REACHED, counts)[1] == {"used": 3, "limit": 3}
        ledgers: dict[str, Any] = {"in_use": 3, "requested": 2, "ledgers": [{"name": "Main"}, {"code": "B2"}]}
        assert error_message(ErrorCode.LEDGER_COUNT_BELOW_IN_USE, ledgers)[1]["ledgers"] == "Main, B2"

    def test_a_flag_is_no_format_argument(self) -> None:
        assert error_message(ErrorCode.NOT_FOUND, {"same_account": True, "n": 2})[1] == {"n": 2}


class TestApiError:
    def test_it_carries_the_typed_code_and_logs_its_text(self) -> None:
        error = ApiError(ErrorCode.TOO_MANY_MACHINES, "seats", {"seats_max": 3}, 409)
        assert error.code is ErrorCode.TOO_MANY_MACHINES
        assert str(error) == "TOO_MANY_MACHINES (HTTP 409)"
        assert repr(error) == "ApiError(code='TOO_MANY_MACHINES', status=409, retry_after=None)"
        unknown = ApiError(UnknownErrorCode("QUANTUM_FLUX"))
        assert str(unknown) == "QUANTUM_FLUX" and state_for_error(unknown.code) is StateCode.UNKNOWN_BLOCKED


# -- no error code spelled as a bare string -----------------------------------------------------------------


def _string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_the_client_names_error_codes_only_by_their_enum_members() -> None:
    """Every code the client compares, renames or raises is a member, never a string kept in step by hand.

    A state of the catalogue may share its name with a code (TOO_MANY_MACHINES): that literal is a state.
    """
    codes = {code.value for code in ALL_CODES}
    states = {state.value for state in StateCode}
    defined_here = ROOT / "app" / "domain" / "error_codes.py"
    spelled = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        if path != defined_here
        for line, text in _string_literals(path)
        if text in codes and text not in states
    ]
    assert not spelled, "use ErrorCode / ClientErrorCode members:\n" + "\n".join(spelled)


_ERROR_NAMES = frozenset({"exc", "error", "err"})  # what the client calls a caught ApiError or OfflineFileError


def _compares_an_error_code_with_a_string(node: ast.Compare) -> bool:
    operands = [node.left, *node.comparators]
    on_code = any(
        isinstance(o, ast.Attribute)
        and o.attr == "code"
        and isinstance(o.value, ast.Name)
        and o.value.id in _ERROR_NAMES
        for o in operands
    )
    literals = [e for o in operands for e in (o.elts if isinstance(o, ast.Tuple | ast.List | ast.Set) else [o])]
    return on_code and any(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in literals)


def test_a_caught_errors_code_is_compared_with_members_only() -> None:
    """``exc.code == "TOO_MANY_MACHINES"`` would pass the scan above (a state has that name): catch it here."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}"
        for path in sorted((ROOT / "app").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if isinstance(node, ast.Compare) and _compares_an_error_code_with_a_string(node)
    ]
    assert not found, "compare with ErrorCode / ClientErrorCode members:\n" + "\n".join(found)


def _code_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((kw.value for kw in call.keywords if kw.arg == "code"), None)


def test_the_server_answers_only_with_error_code_members() -> None:
    raised: list[str] = []
    wrong: list[str] = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            code = _code_argument(node) if name in ("ApiError", "error_body") else None
            if code is None:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(code, ast.Attribute) and isinstance(code.value, ast.Name) and code.value.id == "ErrorCode":
                raised.append(code.attr)
                if code.attr not in ErrorCode.__members__:
                    wrong.append(f"{where}: ErrorCode.{code.attr} is no member")
            elif isinstance(code, ast.Constant | ast.JoinedStr):
                wrong.append(f"{where}: a literal code {ast.unparse(code)}")
    assert len(set(raised)) >= 40, "the scan found too few raises: has the server's ApiError moved?"
    assert not wrong, "\n".join(wrong)
