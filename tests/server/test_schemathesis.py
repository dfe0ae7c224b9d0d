"""The OpenAPI document tells the truth: Schemathesis sends generated requests to every operation of the
live server (SQLite, loopback), signed in and not, and no answer is a 5xx or a status the document omits.

Bounded: a few examples per operation (``MAX_EXAMPLES``), one server for the module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from server.services.demo import seed_demo
from tests.support.accounts import auth_headers, token_for
from tests.support.live import LiveServer, start_live_server

MAX_EXAMPLES = 25
BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("schemathesis")
    server = start_live_server(root / "server-data", f"sqlite:///{root / 'server.sqlite3'}")
    with server.session() as session:  # accounts, organisations and licences for the signed-in calls to meet
        seed_demo(session, server.clock.now())
    yield server
    server.server.stop()


def _failures(live: LiveServer, headers: Callable[[], dict[str, str]]) -> list[str]:
    """Every operation, ``MAX_EXAMPLES`` generated requests each; what failed, one line per operation.

    Driven by hand (``as_strategy``) rather than by Schemathesis' pytest plugin, which does not load on the
    pytest this project runs."""
    found = []
    for result in schemathesis.openapi.from_url(f"{live.url}/openapi.json").get_all_operations():
        operation = result.ok()

        @BOUNDED
        @given(case=operation.as_strategy())
        def exercise(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=live.url,
                session=live.http(),
                headers=headers(),
                checks=[not_a_server_error, status_code_conformance],
                timeout=30,
            )

        try:
            exercise()
        except Exception as exc:  # a check's failure, with the request that caused it
            found.append(f"{operation.method.upper()} {operation.path}: {str(exc).strip().splitlines()[:12]}")
    return found


def test_anonymous_answers_are_documented_and_none_is_a_server_error(live: LiveServer) -> None:
    assert _failures(live, dict) == []


def test_signed_in_answers_are_documented_and_none_is_a_server_error(live: LiveServer) -> None:
    # A fresh token per call (the demo login): a generated logout must not sign out the calls after it.
    assert _failures(live, lambda: auth_headers(token_for(live, 1, ttl=timedelta(hours=1)))) == []
