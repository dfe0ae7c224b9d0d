"""The signing key is parsed once, and a rotation by another instance on the shared directory still counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.signing import KeyStore


def test_the_active_key_is_parsed_once_not_at_every_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyStore(tmp_path / "keys")
    kid = keys.ensure()
    loads: list[str] = []
    real_load = KeyStore.load

    def counting_load(self: KeyStore, kid: str) -> object:
        loads.append(kid)
        return real_load(self, kid)

    monkeypatch.setattr(KeyStore, "load", counting_load)
    for n in range(5):
        assert keys.sign({"n": n})["kid"] == kid
    assert loads == [kid]


def test_a_rotation_by_another_instance_is_used_at_the_next_signature(tmp_path: Path) -> None:
    ours, theirs = KeyStore(tmp_path / "keys"), KeyStore(tmp_path / "keys")  # two servers, one key dir
    first = ours.ensure()
    assert ours.sign({"n": 1})["kid"] == first
    for _ in range(3):  # rotations in quick succession, within one mtime tick on coarse file systems
        rotated = theirs.rotate()
        assert ours.sign({"n": 2})["kid"] == rotated
    assert ours.activate(first) == first
    assert ours.sign({"n": 3})["kid"] == first and theirs.sign({"n": 4})["kid"] == first
