"""Trusted signing keys: the shipped ones always, the demo server's only in --demo runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from licence_protocol.envelope import UnknownKeyError, public_key_to_b64, sign_payload, verify_envelope

from app.services.paths import AppPaths
from app.services.trust import DemoTrust, load_key_dir, load_trusted, shipped_keys_dir, trusted_keys


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    directory.mkdir()
    return directory


def test_a_shipped_key_file_verifies_documents_signed_with_its_kid(keys_dir: Path) -> None:
    private = Ed25519PrivateKey.generate()
    (keys_dir / "vendor-2026.pub").write_text(public_key_to_b64(private.public_key()) + "\n")
    keys = trusted_keys(keys_dir=keys_dir)
    assert list(keys) == ["vendor-2026"]
    verified = verify_envelope(sign_payload({"format": 1}, private, "vendor-2026"), keys)
    assert verified.payload == {"format": 1}


def test_unreadable_key_files_are_skipped(keys_dir: Path) -> None:
    (keys_dir / "bad-text.pub").write_text("not base64url!!")
    (keys_dir / "short.pub").write_text("AAAA")
    (keys_dir / "binary.pub").write_bytes(b"\xff\x00\xfe")
    (keys_dir / "README.md").write_text("not a key")
    assert load_key_dir(keys_dir) == {}
    assert load_key_dir(keys_dir / "absent") == {}


def test_the_shipped_keys_folder_is_found_and_holds_only_public_keys() -> None:
    directory = shipped_keys_dir()
    assert directory.is_dir()
    assert (directory / "README.md").is_file()
    assert all(len(path.read_text().strip()) == 43 for path in directory.glob("*.pub"))


def test_demo_key_is_trusted_only_in_demo_mode(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")
    demo = Ed25519PrivateKey.generate()
    DemoTrust(paths).save("demo-1", demo.public_key())
    envelope = sign_payload({"format": 1}, demo, "demo-1")

    assert verify_envelope(envelope, load_trusted(paths, demo=True)).kid == "demo-1"
    with pytest.raises(UnknownKeyError):
        verify_envelope(envelope, load_trusted(paths, demo=False))


def test_a_demo_key_cannot_replace_a_shipped_kid(keys_dir: Path) -> None:
    vendor, attacker = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (keys_dir / "vendor.pub").write_text(public_key_to_b64(vendor.public_key()))
    keys = trusted_keys({"vendor": attacker.public_key()}, keys_dir=keys_dir)
    assert public_key_to_b64(keys["vendor"]) == public_key_to_b64(vendor.public_key())


def test_damaged_or_missing_demo_key_file_trusts_nothing(tmp_path: Path) -> None:
    paths = AppPaths.from_data_dir(tmp_path / "data")
    assert DemoTrust(paths).load() == {}
    paths.ensure_data_dir()
    paths.demo_key_file.write_text('{"kid": "x", "public_key": 5}')
    assert DemoTrust(paths).load() == {}
    paths.demo_key_file.write_bytes(b"\x00garbage")
    assert DemoTrust(paths).load() == {}
    DemoTrust(paths).clear()
    assert not paths.demo_key_file.exists()
