"""`status --json` for every state of the catalogue, validated against resources/status.schema.json.

tests/unit/cli/test_status.py reads most states from a real cache; here the remaining offline ones
(特征码已变更, 系统时间异常) too, and every other state the panel can evaluate (server verdicts, offline
grace) through the same evaluation, so the JSON contract holds whatever state a newer caller hands it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from licence_protocol.document import LicenceDocument
from licence_protocol.errors import ErrorCode

from app.domain.evaluate import EvaluationInput, evaluate
from app.domain.states import CATALOGUE, StateCode, exit_code_for
from app.resources import resource_path
from app.services.cache import ClockWatermark
from app.services.fingerprint import FixedFingerprint
from app.services.local_status import LocalStatus, read_local_status, status_as_json
from app.services.paths import AppPaths
from tests.support.documents import Signer, machine_components, payload, write_cache

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
THIS_PC = machine_components(1)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resource_path("status.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _status(data_dir: Path, signer: Signer, *, components: dict[str, str] = THIS_PC, now: datetime = NOW) -> Any:
    paths = AppPaths.from_data_dir(data_dir)
    return read_local_status(
        paths, now=now, components=FixedFingerprint(components).components(), trusted=signer.trusted
    )


def test_feature_code_changed_offline(tmp_path: Path, validator: jsonschema.Draft202012Validator) -> None:
    signer = Signer()
    write_cache(tmp_path, signer.sign(payload(THIS_PC, NOW)))
    new_board = {**THIS_PC, "machine_id": machine_components(2)["machine_id"], "mac": machine_components(2)["mac"]}
    report = status_as_json(_status(tmp_path, signer, components=new_board))
    validator.validate(report)
    assert report["state"]["code"] == "FINGERPRINT_CHANGED" and report["exit_code"] == 2
    assert report["this_machine"]["match"] == "changed" and "machine_id" in report["this_machine"]["changed_components"]
    assert report["state"]["actions"][0] == "REREGISTER"


def test_clock_set_back_offline(tmp_path: Path, validator: jsonschema.Draft202012Validator) -> None:
    signer = Signer()
    paths = write_cache(tmp_path, signer.sign(payload(THIS_PC, NOW)))
    ClockWatermark(paths).observe(NOW + timedelta(days=5))
    report = status_as_json(_status(tmp_path, signer))
    validator.validate(report)
    assert report["state"]["code"] == "CLOCK_TAMPERED" and report["exit_code"] == 2
    assert report["clock_watermark"] is not None


def test_the_json_carries_add_ons_the_certification_deadline_and_the_lease_days_left(
    tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    signer = Signer()
    deadline = NOW + timedelta(days=20, hours=3)
    body = payload(
        THIS_PC,
        NOW,
        certification={"status": "pending", "deadline": deadline.isoformat()},
        lease_expires_at=(NOW + timedelta(days=2, hours=5)).isoformat(),
    )
    write_cache(tmp_path, signer.sign(body))
    report = status_as_json(_status(tmp_path, signer))
    validator.validate(report)
    licence = report["licence"]
    assert licence["addons"] == [{"code": "yunzhijia", "name": "云之家", "expires_at": body["addons"][0]["expires_at"]}]
    assert licence["certification"]["status"] == "pending" and licence["certification"]["days_left"] == 20
    assert datetime.fromisoformat(licence["certification"]["deadline"]) == deadline
    assert licence["lease_days_left"] == 2
    assert datetime.fromisoformat(licence["lease_expires_at"]) == NOW + timedelta(days=2, hours=5)


# -- every state of the catalogue, as the panel's evaluation can reach it ---------------------------------------

_SERVER_SAID = {
    StateCode.TOO_MANY_MACHINES: ErrorCode.TOO_MANY_MACHINES,
    StateCode.IP_BOUND_TO_OTHER_ACCOUNT: ErrorCode.IP_BOUND_TO_OTHER_ACCOUNT,
    StateCode.ACTIVATION_LIMIT_REACHED: ErrorCode.ACTIVATION_LIMIT_REACHED,
}


def _input_for(code: StateCode, doc: LicenceDocument) -> EvaluationInput:
    """The smallest evaluation input that reaches ``code``."""
    base: dict[str, Any] = {"document": doc, "now": NOW, "local_components": THIS_PC, "signed_in_account_id": 1}
    if code is StateCode.NOT_LOGGED_IN:
        base["signed_in_account_id"] = None
    elif code is StateCode.NOT_ACTIVATED:
        base.update(document=None, document_problem="missing")
    elif code is StateCode.ACCOUNT_MISMATCH:
        base["signed_in_account_id"] = 99
    elif code is StateCode.OFFLINE_GRACE:
        base["online"] = False
    elif code is StateCode.PANEL_UPDATE_REQUIRED:
        base.update(document=None, document_problem="unknown_key")
    elif code in _SERVER_SAID:
        details = {"seats_used": 3, "seats_max": 3, "machines": []} if code is StateCode.TOO_MANY_MACHINES else {}
        base.update(
            document=None, document_problem="missing", last_server_error=_SERVER_SAID[code], error_details=details
        )
    return EvaluationInput(**base)


def _document_for(code: StateCode) -> dict[str, Any]:
    overrides: dict[str, Any] = {
        StateCode.EXPIRING_SOON: {"expires_at": (NOW + timedelta(days=10)).isoformat()},
        StateCode.EXPIRED: {"expires_at": (NOW - timedelta(days=1)).isoformat()},
        StateCode.LEASE_EXPIRED: {"lease_expires_at": (NOW - timedelta(hours=1)).isoformat()},
        StateCode.SUSPENDED: {"status": "suspended"},
        StateCode.UNKNOWN_BLOCKED: {"status": "frozen-by-a-newer-server"},
        StateCode.LEDGER_LIMIT_EXCEEDED: {"ledgers": {"purchased": 4, "in_use": 5}},
        StateCode.CERTIFICATION_PENDING: {
            "certification": {"status": "pending", "deadline": (NOW + timedelta(days=20)).isoformat()}
        },
        StateCode.CERTIFICATION_OVERDUE: {"certification": {"status": "overdue", "deadline": NOW.isoformat()}},
    }.get(code, {})
    if code is StateCode.FINGERPRINT_CHANGED:
        return payload({**THIS_PC, "machine_id": "0" * 64, "mac": "1" * 64}, NOW)
    if code is StateCode.ILLEGAL_COPY:
        return payload(machine_components(2), NOW)
    if code is StateCode.CLOCK_TAMPERED:
        return payload(THIS_PC, NOW, server_time=(NOW + timedelta(days=3)).isoformat())
    return payload(THIS_PC, NOW, **overrides)


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_every_state_gives_schema_valid_json_with_its_exit_code(
    code: StateCode, validator: jsonschema.Draft202012Validator
) -> None:
    doc = LicenceDocument.from_payload(_document_for(code))
    evaluation = evaluate(_input_for(code, doc))
    assert evaluation.code is code
    status = LocalStatus(
        checked_at=NOW,
        exit_code=exit_code_for(code),
        state=evaluation.state,
        details=evaluation.details,
        cache_file=Path("licence.json"),
        cache_problem=None,
        cache_reason=None,
        document=evaluation.document,
        kid="test-key-1",
        verification_error=None,
        feature_code="ABCDE",
        machine_match=evaluation.machine_match.value if evaluation.machine_match else None,
        changed_components=evaluation.changed_components,
    )
    report = status_as_json(status)
    validator.validate(report)
    assert report["state"]["code"] == code.value and report["exit_code"] == exit_code_for(code)
    assert report["usable"] is (exit_code_for(code) == 0)
    assert "?" not in report["state"]["explanation"], "every placeholder of the explanation is filled"
