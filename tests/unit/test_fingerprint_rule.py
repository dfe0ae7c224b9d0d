"""The feature-code tolerance rule shared by client and server: same, changed (重新注册) or another machine."""

from __future__ import annotations

import re

import pytest
from licence_protocol.fingerprint import MachineMatch, compare_components, feature_code

STORED = {"machine_id": "m" * 64, "product_uuid": "p" * 64, "mac": "a" * 64}


def now(**changes: str) -> dict[str, str]:
    current = dict(STORED)
    for name, value in changes.items():
        if value:
            current[name] = value
        else:
            current.pop(name, None)
    return current


@pytest.mark.parametrize(
    ("current", "verdict", "changed"),
    [
        (now(), MachineMatch.SAME, ()),
        (now(mac="b" * 64), MachineMatch.SAME, ("mac",)),  # a new network card
        (now(mac=""), MachineMatch.SAME, ("mac",)),  # the network card removed
        (now(machine_id="x" * 64), MachineMatch.SAME, ("machine_id",)),  # OS reinstalled, same board
        (now(machine_id="x" * 64, mac="b" * 64), MachineMatch.CHANGED, ("mac", "machine_id")),
        (now(machine_id="x" * 64, product_uuid="y" * 64), MachineMatch.CHANGED, ("machine_id", "product_uuid")),
        ({"machine_id": "x" * 64, "product_uuid": "y" * 64, "mac": "z" * 64}, MachineMatch.DIFFERENT, None),
        ({}, MachineMatch.DIFFERENT, None),
        ({**STORED, "volume_serial": "new"}, MachineMatch.SAME, ()),  # components the document never knew
    ],
)
def test_tolerance(current: dict[str, str], verdict: MachineMatch, changed: tuple[str, ...] | None) -> None:
    result = compare_components(STORED, current)
    assert result.verdict is verdict
    if changed is not None:
        assert result.changed == changed


def test_score_weights_strong_components_double() -> None:
    assert compare_components(STORED, now()).score == 1.0
    assert compare_components(STORED, now(mac="b" * 64)).score == 0.8
    assert compare_components(STORED, now(machine_id="x" * 64)).score == 0.6


def test_strong_components_must_not_all_change() -> None:
    # Weak parts alone (e.g. the same MAC on a cloned VM) never make the same machine.
    stored = {"machine_id": "m", "mac": "a", "hostname": "h", "disk": "d"}
    result = compare_components(stored, {"machine_id": "other", "mac": "a", "hostname": "h", "disk": "d"})
    assert result.score == 0.6 and result.verdict is MachineMatch.CHANGED


def test_only_weak_components() -> None:
    stored = {"mac": "a", "hostname": "h"}
    assert compare_components(stored, {"mac": "a", "hostname": "h2"}).verdict is MachineMatch.CHANGED
    assert compare_components(stored, {"mac": "a", "hostname": "h"}).verdict is MachineMatch.SAME


def test_nothing_stored_is_never_the_same_machine() -> None:
    assert compare_components({}, STORED).verdict is MachineMatch.DIFFERENT


def test_feature_code_shape_and_stability() -> None:
    code = feature_code(STORED)
    assert re.fullmatch(r"[A-Z2-7]{5}(-[A-Z2-7]{5}){3}", code)
    assert feature_code(dict(reversed(list(STORED.items())))) == code  # order does not matter
    assert feature_code(now(mac="b" * 64)) == code  # weak parts do not change the 特征码
    assert feature_code(now(machine_id="x" * 64)) != code


def test_feature_code_without_strong_components_uses_all() -> None:
    assert feature_code({"mac": "a"}) != feature_code({"mac": "b"})
