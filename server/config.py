"""Server settings, read lazily from the environment (prefix ``LP_``) and the command line."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("licence-panel-server", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LP_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""  # empty → SQLite file in data_dir
    key_dir: Path | None = None  # empty → data_dir/keys
    # Public IPs come from the socket peer unless the operator runs behind a proxy they trust.
    trust_forwarded_for: bool = False
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    verification_code_ttl_s: int = 7 * 24 * 3600  # a code may be typed days after it was sent
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    default_lease_days: int = 14
    # Wrong serial/CDkey guesses tolerated per account before backing off; per public IP only far above
    # what an office of 200 people behind one NAT makes, so one person's typos never stop a colleague.
    guess_free_attempts: int = 5
    guess_ip_free_attempts: int = 1000
    guess_window_s: int = 15 * 60
    # Request bodies: every route, and the offline-activation upload (a request file pasted or uploaded).
    max_body_bytes: int = 64 * 1024
    max_upload_bytes: int = 1024 * 1024
    # Activations + deactivations per licence per churn window (the anchors' churn-abuse complaint).
    churn_limit: int = 20
    churn_window_days: int = 30
    public_base_url: str = ""  # how payment pages are linked; empty → derived from the request
    payment_secret: str = ""  # sandbox provider's callback HMAC secret; empty → generated per data dir
    # The demo (`python -m app --demo`) shows the outbox (verification codes, order notices) over HTTP,
    # since it has no SMS or mail gateway. Never on a real server: anyone could read anyone's codes.
    demo: bool = False

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'licence-server.sqlite3'}"

    def resolved_key_dir(self) -> Path:
        return self.key_dir or (self.data_dir / "keys")
