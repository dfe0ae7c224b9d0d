"""What a connection test found (``GET /healthz``), so a network or proxy problem is not taken for a licence one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

ConnectionOutcome = Literal[
    "ok", "dns", "connect", "timeout", "proxy", "tls", "not_our_api", "maintenance", "server_error"
]
# A clock this far off the server's is worth telling: documents and leases are dated by the server's clock.
CLOCK_SKEW_WORTH_TELLING = timedelta(minutes=5)


@dataclass(frozen=True)
class ConnectionReport:
    """The layer that failed (DNS, proxy, TLS…) or, when the server answered, how far this computer's clock is off."""

    outcome: ConnectionOutcome
    status: int | None = None
    server_time: datetime | None = None
    clock_skew: timedelta | None = None  # server time minus local time (positive: local clock is behind)
    retry_after: float | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def network_problem(self) -> bool:
        return self.outcome in ("dns", "connect", "timeout", "proxy", "tls")

    @property
    def clock_off_by_minutes(self) -> int | None:
        """Whole minutes this computer's clock differs from the server's, when the server answered and it is
        more than CLOCK_SKEW_WORTH_TELLING; else None."""
        if not self.ok or self.clock_skew is None or abs(self.clock_skew) <= CLOCK_SKEW_WORTH_TELLING:
            return None
        return int(abs(self.clock_skew.total_seconds()) // 60)
