"""Translations: every msgid of the app translated to Chinese, safe formatting, language choice, resources."""

from __future__ import annotations

import ast
import functools
import json
import string
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from licence_protocol.errors import ErrorCode

import app.i18n as i18n
from app.domain import error_catalogue, rules
from app.domain.error_codes import AnyErrorCode, ClientErrorCode, UnknownErrorCode
from app.domain.states import ACTION_LABELS, CATALOGUE, DETAILED_EXPLANATIONS, StateCode, state_info
from app.resources import resource_path, resources_dir

APP_DIR = Path(__file__).resolve().parents[2] / "app"
# Functions whose first argument is a msgid, and keywords whose value is one.
_TR_FUNCTIONS = {"tr", "N_"}
_MSGID_KEYWORDS = {"msgid"}


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    saved = i18n._current
    yield
    i18n._current = saved


def _zh() -> dict[str, str]:
    return json.loads(resource_path("i18n", "zh_CN.json").read_text(encoding="utf-8"))


def _msgids_in(source: str, where: str) -> dict[str, str]:
    """msgid → file:line for every literal passed to tr()/N_() (also as ``i18n.tr``) or as ``msgid=``."""
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(source, filename=where)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        literals = [node.args[0]] if name in _TR_FUNCTIONS and node.args else []
        literals += [kw.value for kw in node.keywords if kw.arg in _MSGID_KEYWORDS]
        for literal in literals:
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                found.setdefault(literal.value, f"{where}:{node.lineno}")
    return found


@functools.cache
def _source_msgids() -> dict[str, str]:
    """Every msgid literal anywhere under app/ — the UI written by others included."""
    found: dict[str, str] = {}
    for path in sorted(APP_DIR.rglob("*.py")):
        where = str(path.relative_to(APP_DIR.parent))
        for msgid, line in _msgids_in(path.read_text(encoding="utf-8"), where).items():
            found.setdefault(msgid, line)
    return found


def _domain_msgids() -> dict[str, str]:
    """Every msgid the domain tables define (they are data, not tr() calls)."""
    found: dict[str, str] = {}
    for info in CATALOGUE.values():
        for attr in ("label_en", "explanation", "next_step"):
            found.setdefault(getattr(info, attr), f"states {info.code}.{attr}")
    for action, msgid in ACTION_LABELS.items():
        found.setdefault(msgid, f"action {action}")
    for code, msgid in DETAILED_EXPLANATIONS.items():
        found.setdefault(msgid, f"states {code}.detailed explanation")
    for msgid in error_catalogue.all_message_ids():
        found.setdefault(msgid, "error_catalogue")
    for rule_id, msgid in rules.PASSWORD_RULES:
        found.setdefault(msgid, f"password rule {rule_id}")
    for msgid in rules.KEY_MESSAGES:
        found.setdefault(msgid, "key format")
    return found


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _assert_translated(wanted: dict[str, str]) -> None:
    zh = _zh()
    missing = sorted((where, msgid) for msgid, where in wanted.items() if not zh.get(msgid))
    assert not missing, "zh_CN.json lacks:\n" + "\n".join(f"  {where}: {msgid!r}" for where, msgid in missing)


def test_zh_cn_translates_every_domain_msgid() -> None:
    _assert_translated(_domain_msgids())


def test_zh_cn_translates_every_tr_call_in_app() -> None:
    """Every literal passed to tr()/N_() in app/**/*.py, the UI included, has its Chinese text."""
    _assert_translated(_source_msgids())


def test_the_source_scan_finds_every_form_of_tr_call() -> None:
    source = (
        'tr("Plain")\ni18n.tr("Dotted {n}", n=1)\nLABEL = N_("Deferred")\nshow(msgid="Keyword")\n'
        'tr(variable)\nprint("not a msgid")\n'
    )
    assert _msgids_in(source, "x.py") == {
        "Plain": "x.py:1",
        "Dotted {n}": "x.py:2",
        "Deferred": "x.py:3",
        "Keyword": "x.py:4",
    }


@pytest.mark.parametrize("lang", ["zh_CN", "vi", "fa", "en"])
def test_catalogues_are_valid_and_keep_placeholders(lang: str) -> None:
    data = json.loads(resource_path("i18n", f"{lang}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    for msgid, text in data.items():
        assert isinstance(text, str) and text.strip(), msgid
        assert _placeholders(text) == _placeholders(msgid), f"{lang}: {msgid!r} → {text!r}"


@pytest.mark.parametrize("lang", ["vi", "fa"])
def test_partial_catalogues_have_every_state_label(lang: str) -> None:
    i18n.set_language(lang)
    for info in CATALOGUE.values():
        label = i18n.state_label(info)
        assert label and label != info.label_en, info.code


def test_state_labels_per_language() -> None:
    info = state_info("LEDGER_LIMIT_EXCEEDED")
    i18n.set_language("zh_CN")
    assert i18n.state_label(info) == "账套已用数量大于可用数量,请先购买账套数量"
    i18n.set_language("en")
    assert i18n.state_label(info) == "More ledgers in use than bought"
    i18n.set_language("vi")
    assert i18n.state_label(state_info(StateCode.ACTIVE)) == "Đã kích hoạt"


def test_tr_translates_and_formats() -> None:
    i18n.set_language("zh_CN")
    assert i18n.tr("Re-register") == "重新注册"
    assert i18n.tr("Keep typing: {count} of 25 characters.", count=7) == "请继续输入：已输入 7/25 个字符。"
    i18n.set_language("en")
    assert i18n.tr("Keep typing: {count} of 25 characters.", count=7) == "Keep typing: 7 of 25 characters."


def test_tr_never_raises() -> None:
    i18n.set_language("zh_CN")
    assert i18n.tr("A sentence nobody translated.") == "A sentence nobody translated."
    assert i18n.tr("This licence is already activated on {seats_max} computers, the most it allows.") == (
        "该许可已在 ? 台电脑上激活，已达允许的最大台数。"
    )
    assert i18n.tr("Broken {") == "Broken {"
    assert i18n.tr("Positional {0} and {x.attr}", x=1) == "Positional {0} and {x.attr}"
    assert i18n.tr("List {items}", items=["a", "b"]) == "List a、b"


def test_formatting_does_not_change_the_catalogue() -> None:
    i18n.set_language("zh_CN")
    msgid = "Too many attempts. Try again in {retry_after} seconds."
    i18n.tr(msgid, retry_after=30)
    assert "{retry_after}" in i18n.catalogue("zh_CN")[msgid]


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),
        ({"LC_ALL": "vi_VN.UTF-8", "LANG": "zh_CN.UTF-8"}, "vi"),
        ({"LANG": "fa_IR"}, "fa"),
        ({"LANGUAGE": "de:fa", "LANG": "en_US.UTF-8"}, "fa"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_system_language(environ: dict[str, str], lang: str) -> None:
    assert i18n.system_language(environ) == lang


def test_set_language_none_follows_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.set_language(None) == "zh_CN" == i18n.current_language()
    assert i18n.set_language("xx") == "en"
    assert i18n.set_language("fa") == "fa" and i18n.is_rtl() and not i18n.is_rtl("zh_CN")


class TestErrorMessages:
    def test_details_make_the_message_precise(self) -> None:
        i18n.set_language("zh_CN")
        assert (
            i18n.tr_error(ErrorCode.INVALID_CREDENTIALS, {"attempts_left": 2})
            == "账号或密码错误。再错 2 次账号将被锁定。"
        )
        assert i18n.tr_error(ErrorCode.INVALID_CREDENTIALS, {}) == "账号或密码错误。"
        assert "4" in i18n.tr_error(ErrorCode.TOO_MANY_MACHINES, {"seats_used": 4, "seats_max": 4, "machines": []})
        assert "?" not in i18n.tr_error(ErrorCode.TOO_MANY_MACHINES, {})
        text = i18n.tr_error(ErrorCode.LEDGER_COUNT_BELOW_IN_USE, {"in_use": 5, "requested": 4, "ledgers": []})
        assert "5" in text and "4" in text

    def test_unlock_time_is_shown_in_the_users_zone(self) -> None:
        unlock = datetime(2026, 11, 25, 8, 15, tzinfo=UTC).isoformat()
        msgid, fmt = error_catalogue.error_message(ErrorCode.ACCOUNT_LOCKED, {"unlock_at": unlock}, tz=UTC)
        assert fmt == {"unlock_at": datetime(2026, 11, 25, 8, 15, tzinfo=UTC)} and "{unlock_at}" in msgid

    def test_unknown_code_gets_the_generic_message_with_the_code(self) -> None:
        i18n.set_language("en")
        assert "QUANTUM_FLUX" in i18n.tr_error(UnknownErrorCode("QUANTUM_FLUX"), {"anything": 1})

    @pytest.mark.parametrize(
        ("code", "state"),
        [
            (ErrorCode.TOO_MANY_MACHINES, StateCode.TOO_MANY_MACHINES),
            (ErrorCode.IP_BOUND_TO_OTHER_ACCOUNT, StateCode.IP_BOUND_TO_OTHER_ACCOUNT),
            (ErrorCode.ACTIVATION_LIMIT_REACHED, StateCode.ACTIVATION_LIMIT_REACHED),
            (ErrorCode.FINGERPRINT_CHANGED, StateCode.FINGERPRINT_CHANGED),
            (ErrorCode.LICENCE_EXPIRED, StateCode.EXPIRED),
            (ErrorCode.LICENCE_SUSPENDED, StateCode.SUSPENDED),
            (ErrorCode.NOT_ACTIVATED_ON_MACHINE, StateCode.NOT_ACTIVATED),
            (ErrorCode.INVALID_CREDENTIALS, None),
            (ErrorCode.RATE_LIMITED, None),
            (ErrorCode.MAINTENANCE, None),
            (ErrorCode.PURCHASE_BLOCKED, None),
            (ClientErrorCode.NETWORK_ERROR, None),
            (UnknownErrorCode("SOMETHING_NEW"), StateCode.UNKNOWN_BLOCKED),
        ],
    )
    def test_state_for_error(self, code: AnyErrorCode, state: StateCode | None) -> None:
        assert error_catalogue.state_for_error(code) == state


class TestResources:
    def test_checkout_resources_are_found(self) -> None:
        assert resource_path("i18n", "zh_CN.json").is_file()
        assert (resources_dir() / "__init__.py").is_file()  # a package, so wheels carry it

    def test_pyinstaller_bundle_is_preferred(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        (tmp_path / "resources" / "i18n").mkdir(parents=True)
        monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
        resources_dir.cache_clear()
        try:
            assert resource_path("i18n", "en.json") == tmp_path / "resources" / "i18n" / "en.json"
        finally:
            monkeypatch.undo()
            resources_dir.cache_clear()
        assert resource_path("i18n").is_dir() and resources_dir() != tmp_path / "resources"

    def test_unreadable_catalogue_falls_back_to_english(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(i18n, "resource_path", lambda *parts: Path("/nonexistent") / Path(*parts))
        i18n.catalogue.cache_clear()
        try:
            i18n.set_language("vi")
            assert i18n.tr("Activate") == "Activate"
        finally:
            monkeypatch.undo()
            i18n.catalogue.cache_clear()
