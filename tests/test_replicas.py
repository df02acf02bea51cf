"""Two replicas behind nginx (.ci/replicas.sh): the page and the websocket work through the
proxy, and a browser stays on its replica, so a reconnect finds its session again."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import date

import pytest
from stream_client import DashboardSession, Replicas, free_port, http_get, nginx_executable

pytestmark = pytest.mark.nginx

COOKIE = "foxbat76_replica"
CHOSEN_DAY = date(1976, 9, 20)


@pytest.fixture(scope="module")
def replicas() -> Iterator[Replicas]:
    if nginx_executable() is None:
        reason = "nginx not found: install Debian's nginx (apt-get install nginx)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    setup = Replicas(free_port(), (free_port(), free_port())).start()
    try:
        yield setup
    finally:
        setup.stop()


def replica_of(headers: object) -> str:
    return headers["X-Foxbat76-Replica"]  # type: ignore[index]


def test_a_new_browser_gets_the_page_and_a_replica_cookie(replicas: Replicas) -> None:
    cookies: dict[str, str] = {}
    status, headers, body = http_get(f"{replicas.url}/", cookies)
    assert status == 200
    assert b"<title>Streamlit</title>" in body  # the dashboard's page, from a replica
    assert cookies.get(COOKIE)
    ports = {f"127.0.0.1:{port}" for port in replicas.replica_ports}
    assert replica_of(headers) in ports


def test_requests_with_the_cookie_stay_on_one_replica(replicas: Replicas) -> None:
    cookies: dict[str, str] = {}
    first = replica_of(http_get(f"{replicas.url}/", cookies)[1])
    for path in ("/", "/_stcore/health", "/_stcore/host-config", "/"):
        status, headers, _ = http_get(f"{replicas.url}{path}", cookies)
        assert status == 200
        assert replica_of(headers) == first, path


def test_new_browsers_are_spread_over_both_replicas(replicas: Replicas) -> None:
    # 24 browsers all on one of two replicas: a chance of 1 in 8 million if the keys are random.
    seen = {replica_of(http_get(f"{replicas.url}/_stcore/health", {})[1]) for _ in range(24)}
    assert seen == {f"127.0.0.1:{port}" for port in replicas.replica_ports}


def cookie_for(replicas: Replicas, replica: str) -> dict[str, str]:
    """A browser's cookies that lead to `replica`."""
    for _ in range(60):
        cookies: dict[str, str] = {}
        if replica_of(http_get(f"{replicas.url}/_stcore/health", cookies)[1]) == replica:
            return cookies
    raise AssertionError(f"no new browser was sent to {replica}")


async def choose_day_then_reconnect(url: str, cookies: dict[str, str]) -> tuple[str, bool, str]:
    """Open the dashboard, choose a day, drop the websocket and reconnect as the frontend does.

    Returns the query string after choosing, and the session id and query string after the
    reconnect (a reconnect that reaches the same replica resumes the session)."""
    tab = DashboardSession(url, cookies=cookies)
    first = await tab.open(timeout=60)
    assert first.errors == []
    chosen = await tab.scrub(CHOSEN_DAY)
    assert chosen.errors == []
    session_id = tab.session_id
    assert session_id
    await tab.close()
    again = DashboardSession(url, cookies=tab.cookies)
    resumed = await again.open(timeout=60, existing_session_id=session_id)
    await again.close()
    assert resumed.errors == []
    return chosen.query_string or "", again.session_id == session_id, again.address


def test_the_websocket_works_through_the_proxy_and_a_reconnect_resumes_the_session(
    replicas: Replicas,
) -> None:
    replica = f"127.0.0.1:{replicas.replica_ports[0]}"
    chosen, same_session, after = asyncio.run(
        choose_day_then_reconnect(replicas.url, cookie_for(replicas, replica))
    )
    assert f"date={CHOSEN_DAY.isoformat()}" in chosen
    assert same_session
    assert f"date={CHOSEN_DAY.isoformat()}" in after  # the day chosen before the reconnect


async def reconnect_elsewhere(url: str, cookies: dict[str, str], other: dict[str, str]) -> str:
    """Choose a day, then reconnect with the cookie of the other replica: the query string of
    the page the other replica shows."""
    tab = DashboardSession(url, cookies=cookies)
    await tab.open(timeout=60)
    await tab.scrub(CHOSEN_DAY)
    session_id = tab.session_id
    await tab.close()
    moved = DashboardSession(url, cookies=other)
    await moved.open(timeout=60, existing_session_id=session_id)
    await moved.close()
    return moved.address


def test_without_stickiness_a_reconnect_would_start_over(replicas: Replicas) -> None:
    # What the cookie prevents: on the other replica the session is unknown, so the page
    # starts again at the default day.
    first, second = (f"127.0.0.1:{port}" for port in replicas.replica_ports)
    shown = asyncio.run(
        reconnect_elsewhere(replicas.url, cookie_for(replicas, first), cookie_for(replicas, second))
    )
    assert f"date={CHOSEN_DAY.isoformat()}" not in shown
    assert "date=1976-09-06" in shown
