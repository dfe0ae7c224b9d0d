"""Ed25519 signing keys with key ids: generate, rotate, load, and sign licence documents."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from licence_protocol.envelope import ALGORITHM, public_key_to_b64, sign_payload

from server.files import make_private_dir, remove_stale_temp_files

ACTIVE_FILE = "ACTIVE"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


class KeyStore:
    """A directory of ``<kid>.pem`` private keys (mode 0600) and an ``ACTIVE`` file naming the signer.

    Several server instances share it (``LP_KEY_DIR``: one mounted directory, or identical copies on
    every host); ``ACTIVE`` is stat-ed at each signing and re-read when it changed, so a rotation reaches
    every instance at its next document. Retired keys stay so old documents still verify
    (docs/ARCHITECTURE.md, "Running a fleet").
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # The active key as last read, with the ACTIVE file's identity at that moment. Reading and parsing
        # the PEM on every document cost more than the signature itself; one stat() tells us whether another
        # instance rotated since. Replaced whole (one assignment), so threads never see half an update.
        self._active: tuple[tuple[int, ...], SigningKey] | None = None

    def generate(self, activate: bool = True) -> str:
        make_private_dir(self.directory)  # the data dir above it too, when this makes it
        os.chmod(self.directory, 0o700)
        kid = datetime.now(UTC).strftime("k%Y%m%d") + "-" + secrets.token_hex(4)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path = self.directory / f"{kid}.pem"
        # Created owner-only from the first byte: no window where another user could read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        if activate:
            self._write_active(kid)
        return kid

    rotate = generate

    def activate(self, kid: str) -> str:
        """Sign with ``kid`` from now on (a key staged with ``generate(activate=False)``)."""
        self.load(kid)  # refuse a kid that is not here, or not a usable key
        self._write_active(kid)
        return kid

    def _write_active(self, kid: str) -> None:
        # A temp file of its own (instances sharing the directory may rotate at once), 0600 like the keys.
        fd, tmp = tempfile.mkstemp(prefix=f".{ACTIVE_FILE}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(kid + "\n")
            os.replace(tmp, self.directory / ACTIVE_FILE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._active = None  # this instance signs with the new key at once, whatever the clock's resolution

    def ensure(self) -> str:
        """The active kid, generating a first key when the directory is empty.

        Called at start-up: temp files of writers killed here before (the ACTIVE file, the payment secret) go.
        """
        if self.directory.is_dir():
            remove_stale_temp_files(self.directory)
        try:
            return self.active_kid()
        except FileNotFoundError:
            return self.generate()

    def active_kid(self) -> str:
        return (self.directory / ACTIVE_FILE).read_text(encoding="ascii").strip()

    def load(self, kid: str) -> SigningKey:
        if not kid or "/" in kid or kid.startswith("."):
            raise KeyError(kid)
        data = (self.directory / f"{kid}.pem").read_bytes()
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{kid} is not an Ed25519 key")
        return SigningKey(kid, key)

    def active(self) -> SigningKey:
        st = os.stat(self.directory / ACTIVE_FILE)
        # A rotation replaces ACTIVE with a new file (os.replace): a new inode, so comparing it catches
        # two rotations within one mtime tick. ctime too: a copy written over ACTIVE in place (cp -p,
        # which keeps the inode and may restore an old mtime) still moves it, and no tool can set it.
        stamp = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
        cached = self._active
        if cached is not None and cached[0] == stamp:
            return cached[1]
        key = self.load(self.active_kid())
        self._active = (stamp, key)
        return key

    def all_kids(self) -> list[str]:
        if not self.directory.exists():
            return []
        return sorted(p.stem for p in self.directory.glob("*.pem"))

    def public_keys(self) -> list[dict[str, Any]]:
        active = self.active_kid()
        return [
            {
                "kid": kid,
                "alg": ALGORITHM,
                "public_key": public_key_to_b64(self.load(kid).public_key),
                "active": kid == active,
            }
            for kid in self.all_kids()
        ]

    def sign(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        key = self.active()
        return sign_payload(payload, key.private_key, key.kid)
