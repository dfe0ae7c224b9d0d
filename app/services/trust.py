"""Which public keys the client accepts licence documents from.

The shipped keys (resources/keys/<kid>.pub, one base64url raw Ed25519 key each) are the only ones
trusted by default. The demo server's key is kept in the data dir by ``DemoTrust`` and is trusted only
when the client runs with ``--demo``: a key file in a user-writable directory trusted by default would
let anyone who can write there forge licence documents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from licence_protocol.envelope import EnvelopeError, public_key_from_b64, public_key_to_b64

from app.deferred_logging import DeferredLogger
from app.services.paths import AppPaths, write_atomically

log = DeferredLogger(__name__)  # `status` and `check` import logging only if they log

MAX_KEY_FILE_BYTES = 4096


def shipped_keys_dir() -> Path:
    from app.resources import resource_path

    return Path(resource_path("keys"))


def load_key_dir(directory: Path) -> dict[str, Ed25519PublicKey]:
    """kid → key for every readable ``<kid>.pub`` in ``directory``; bad files are logged and skipped."""
    keys: dict[str, Ed25519PublicKey] = {}
    if not directory.is_dir():
        return keys
    for path in sorted(directory.glob("*.pub")):
        try:
            text = path.read_bytes()[:MAX_KEY_FILE_BYTES].decode("ascii").strip()
            keys[path.stem] = public_key_from_b64(text)
        except (OSError, UnicodeDecodeError, EnvelopeError, ValueError) as exc:
            log.warning("ignoring trusted key file %s: %s", path.name, type(exc).__name__)
    return keys


def trusted_keys(
    extra: Mapping[str, Ed25519PublicKey] | None = None, *, keys_dir: Path | None = None
) -> dict[str, Ed25519PublicKey]:
    """The shipped keys, plus ``extra`` (the demo key in demo mode). A shipped kid is never overridden."""
    keys = dict(extra or {})
    keys.update(load_key_dir(keys_dir if keys_dir is not None else shipped_keys_dir()))
    return keys


class DemoTrust:
    """The embedded demo server's public key, remembered in ``<data_dir>/demo-trusted-key.json``."""

    def __init__(self, paths: AppPaths) -> None:
        self.path = paths.demo_key_file

    def save(self, kid: str, key: Ed25519PublicKey) -> None:
        record = {"kid": kid, "alg": "Ed25519", "public_key": public_key_to_b64(key)}
        write_atomically(self.path, json.dumps(record).encode("ascii"))

    def load(self) -> dict[str, Ed25519PublicKey]:
        try:
            data = json.loads(self.path.read_bytes()[:MAX_KEY_FILE_BYTES])
            kid, text = data["kid"], data["public_key"]
            if not isinstance(kid, str) or not isinstance(text, str):
                raise ValueError("bad types")
            return {kid: public_key_from_b64(text)}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring the demo trusted key file: %s", type(exc).__name__)
            return {}

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def load_trusted(paths: AppPaths, *, demo: bool) -> dict[str, Ed25519PublicKey]:
    """The keys for this run: shipped keys, plus the demo server's only in ``--demo`` mode."""
    return trusted_keys(DemoTrust(paths).load() if demo else None)
