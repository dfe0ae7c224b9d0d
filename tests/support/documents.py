"""Licence documents signed with a test key and written into a client data dir, for offline-status tests."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from licence_protocol.envelope import sign_payload
from licence_protocol.fingerprint import feature_code

from app.services.cache import LicenceCache, to_iso
from app.services.paths import AppPaths
from app.services.trust import DemoTrust


def hashed(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def machine_components(n: int) -> dict[str, str]:
    """Hashed components of simulated PC ``n``."""
    return {"machine_id": hashed(f"mid-{n}"), "product_uuid": hashed(f"uuid-{n}"), "mac": hashed(f"mac-{n}")}


def payload(components: dict[str, str], now: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A format-1 payload (docs/ARCHITECTURE.md) for a machine with ``components``, valid around ``now``."""
    now = now or datetime.now(UTC)
    body: dict[str, Any] = {
        "format": 1,
        "licence_id": 7,
        "serial_masked": "KJH-****-****-7F3A",
        "product": {"code": "KJH-CLOUD", "name": "e会计 云盘版", "version": "5.0"},
        "edition": "cloud",
        "policy": "云盘版 3 台",
        "status": "active",
        "account": {"id": 1, "display": "138****0001"},
        "organisation": {"id": 3, "name": "武汉示例会计服务有限公司", "tax_id": "91420100MA4K000001"},
        "machine": {"id": 9, "feature_code": feature_code(components), "components": components, "name": "FRONT-DESK"},
        "seats": {"used": 1, "max": 3},
        "ledgers": {"purchased": 4, "in_use": 2},
        "entitlements": [{"module": "period_close", "ledger_id": 2, "fiscal_year": 2025}],
        "vouchers": [{"ledger_id": 2, "fiscal_year": 2025, "used": 12, "quota": 50}],
        "addons": [{"code": "yunzhijia", "name": "云之家", "expires_at": to_iso(now + timedelta(days=200))}],
        "certification": {"status": "certified", "deadline": None},
        "expires_at": to_iso(now + timedelta(days=365)),
        "issued_at": to_iso(now - timedelta(hours=1)),
        "lease_expires_at": to_iso(now + timedelta(days=30)),
        "server_time": to_iso(now - timedelta(hours=1)),
        "nonce": None,
    }
    body.update(overrides)
    return body


@dataclass
class Signer:
    """A vendor-like signing key: signs payloads, and can be trusted by a client data dir (demo trust)."""

    kid: str = "test-key-1"
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def trusted(self) -> dict[str, Ed25519PublicKey]:
        return {self.kid: self.public}

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        return sign_payload(body, self.private, self.kid)

    def trust_in(self, paths: AppPaths) -> None:
        """Trusted by ``python -m app --demo …`` runs on this data dir (the shipped keys cannot be edited)."""
        DemoTrust(paths).save(self.kid, self.public)


def write_cache(data_dir: Path, envelope: dict[str, Any], *, last_online_check: datetime | None = None) -> AppPaths:
    paths = AppPaths.from_data_dir(data_dir)
    LicenceCache(paths).save(envelope, last_online_check=last_online_check)
    return paths


def tamper_payload(envelope: dict[str, Any]) -> dict[str, Any]:
    """Change one character of the signed payload (the signature stays): the classic edited licence file."""
    forged = copy.deepcopy(envelope)
    text = forged["payload"]
    middle = len(text) // 2
    forged["payload"] = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]
    return forged
