"""Feature code (特征码) and the tolerance rule deciding whether a machine is still the same one.

A machine is described by hashed components (machine id, board UUID, MAC…). Hardware changes one
piece at a time, so the rule compares component by component instead of the whole code:
mostly matching → the same machine (refresh quietly); partly matching → FINGERPRINT_CHANGED
(offer 重新注册); nothing matching → another machine (a copied document: ILLEGAL_COPY).
Shared by the client and the reference server so both sides judge a machine alike.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping
from dataclasses import dataclass

# SHA-256 from cryptography, which every signature check loads anyway: hashlib would load a second OpenSSL
# binding (_hashlib) for two hashes, a noticeable share of the offline `status` start-up.
from cryptography.hazmat.primitives.hashes import SHA256, Hash

# Components that identify an installation; the weak ones (network cards, host names) change often.
STRONG_COMPONENTS = frozenset({"machine_guid", "machine_id", "product_uuid", "platform_uuid", "volume_serial"})
STRONG_WEIGHT = 2
WEAK_WEIGHT = 1
SAME_MACHINE_THRESHOLD = 0.6


class MachineMatch(enum.Enum):
    SAME = "same"
    CHANGED = "changed"
    DIFFERENT = "different"


@dataclass(frozen=True)
class MatchResult:
    verdict: MachineMatch
    score: float
    changed: tuple[str, ...]


def _weight(name: str) -> int:
    return STRONG_WEIGHT if name in STRONG_COMPONENTS else WEAK_WEIGHT


def compare_components(stored: Mapping[str, str], current: Mapping[str, str]) -> MatchResult:
    """Judge ``current`` against the ``stored`` components recorded at activation."""
    if not stored:
        return MatchResult(MachineMatch.DIFFERENT, 0.0, ())
    total = sum(_weight(n) for n in stored)
    matched = [n for n, v in stored.items() if current.get(n) == v]
    changed = tuple(sorted(n for n in stored if current.get(n) != stored[n]))
    score = sum(_weight(n) for n in matched) / total
    strong_stored = [n for n in stored if n in STRONG_COMPONENTS]
    strong_ok = not strong_stored or any(n in STRONG_COMPONENTS for n in matched)
    if not matched:
        verdict = MachineMatch.DIFFERENT
    elif score >= SAME_MACHINE_THRESHOLD and strong_ok:
        verdict = MachineMatch.SAME
    else:
        verdict = MachineMatch.CHANGED
    return MatchResult(verdict, round(score, 3), changed)


def sha256_digest(data: bytes) -> bytes:
    """``hashlib.sha256(data).digest()``."""
    digest = Hash(SHA256())
    digest.update(data)
    return digest.finalize()


def feature_code(components: Mapping[str, str]) -> str:
    """The 特征码 shown to people: stable, derived from the strong components only when present."""
    names = sorted(n for n in components if n in STRONG_COMPONENTS) or sorted(components)
    material = "\n".join(f"{n}={components[n]}" for n in names).encode("utf-8")
    digest = sha256_digest(b"feature-code/v1\n" + material)
    text = base64.b32encode(digest).decode("ascii")[:20]
    return "-".join(text[i : i + 5] for i in range(0, 20, 5))
