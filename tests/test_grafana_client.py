"""The Grafana client against the test double over real HTTP: auth, URLs, retries, errors.

Every error must be one line that says what to do, and no secret may reach any text a
user or a log could see: the token used here is easy to spot on purpose.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from _support import free_port
from grafana_double import GrafanaDouble
from plain_http import Answer, not_found_page, serving

from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig
from triton_dashboards.grafana.diagnose import error_from_response
from triton_dashboards.grafana.errors import (
    Call,
    ConfigError,
    ConnectionFailed,
    Forbidden,
    GrafanaError,
    Unauthorized,
    VersionMismatch,
)

SECRET = "SECRET_ZZZ"


def dashboard(uid: str = "d1", title: str = "One") -> dict[str, Any]:
    return {"uid": uid, "title": title, "panels": [], "schemaVersion": 41}


def client_for(url: str, **settings: Any) -> GrafanaClient:
    options: dict[str, Any] = {"token": TOKEN, "backoff": 0.001, "timeout": 5.0}
    options.update(settings)
    return GrafanaClient(GrafanaConfig(url, **options))


def everything_said(error: BaseException) -> str:
    """Every text an exception can show: str, repr, args and the formatted traceback."""
    parts = [str(error), repr(error), *map(repr, error.args)]
    parts += traceback.format_exception(type(error), error, error.__traceback__)
    return "\n".join(parts)


def assert_one_line(error: GrafanaError, *needles: str) -> None:
    text = str(error)
    assert "\n" not in text and ";" in text, text
    for needle in needles:
        assert needle in text, (needle, text)
    assert SECRET not in everything_said(error)


def test_save_then_get_round_trip_with_bearer_token(double: GrafanaDouble) -> None:
    with client_for(double.url) as client:
        answer = client.save_dashboard(dashboard(), folder_uid="", message="m")
        live = client.get_dashboard("d1")
    assert answer["version"] == 1
    assert live is not None and live.version == 1 and live.dashboard["title"] == "One"
    assert double.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_missing_dashboard_is_none(double: GrafanaDouble) -> None:
    with client_for(double.url) as client:
        assert client.get_dashboard("nope") is None


def test_sub_path_url_reaches_the_api_below_it() -> None:
    with GrafanaDouble(token=TOKEN, sub_path="/grafana") as double:
        assert double.url.endswith("/grafana")
        with client_for(double.url + "/") as client:
            client.save_dashboard(dashboard(), folder_uid="", message="m")
            assert client.get_dashboard("d1") is not None
        assert {r.full_path.split("/api/")[0] for r in double.requests} == {"/grafana"}
        # Without the sub-path nothing answers: the error says to add it.
        with (
            client_for(double.url.removesuffix("/grafana"), retries=0) as client,
            pytest.raises(GrafanaError) as caught,
        ):
            client.save_dashboard(dashboard(), folder_uid="", message="m")
        assert "sub-path" in str(caught.value)


def test_basic_auth_and_a_wrong_password_names_the_variables() -> None:
    with GrafanaDouble(token=None, users={"ci": "pw_SECRET_ZZZ"}) as double:
        with client_for(double.url, token=None, user="ci", password="pw_SECRET_ZZZ") as client:
            client.save_dashboard(dashboard(), folder_uid="", message="m")
        assert double.dashboard("d1") is not None
        assert double.requests[0].headers["Authorization"].startswith("Basic ")
        with (
            client_for(double.url, token=None, user="ci", password="wrong_SECRET_ZZZ") as client,
            pytest.raises(Unauthorized) as caught,
        ):
            client.get_dashboard("d1")
        assert_one_line(caught.value, "GRAFANA_USER", "GRAFANA_PASSWORD", "401")


def test_credentials_in_the_url_become_basic_auth_and_stay_hidden() -> None:
    with GrafanaDouble(token=None, users={"ci": "pw_SECRET_ZZZ"}) as double:
        url = double.url.replace("http://", "http://ci:pw_SECRET_ZZZ@")
        with client_for(url, token=None) as client:
            assert client.get_dashboard("d1") is None
            assert SECRET not in repr(client) and SECRET not in client.base_url


def test_org_header_selects_the_organisation() -> None:
    with GrafanaDouble(token=None, users={"ci": "pw"}, orgs=(1, 2)) as double:
        with client_for(double.url, token=None, user="ci", password="pw", org_id=2) as client:
            client.save_dashboard(dashboard(), folder_uid="", message="m")
        assert double.requests[0].headers["X-Grafana-Org-Id"] == "2"
        assert double.dashboard("d1", org_id=2) is not None
        assert double.dashboard("d1", org_id=1) is None


def test_token_for_another_org_says_so(double: GrafanaDouble) -> None:
    with client_for(double.url, org_id=7) as client, pytest.raises(Unauthorized) as caught:
        client.get_dashboard("d1")
    assert_one_line(caught.value, "organisation 7", "GRAFANA_ORG_ID")


def test_wrong_token_names_grafana_token() -> None:
    with (
        GrafanaDouble(token="glsa_the_right_one") as double,
        client_for(double.url) as client,
        pytest.raises(Unauthorized) as caught,
    ):
        client.get_dashboard("d1")
    assert_one_line(caught.value, "GRAFANA_TOKEN", "401", "Invalid API key")
    assert caught.value.fatal


def test_no_credentials_says_which_variables_to_set(double: GrafanaDouble) -> None:
    with client_for(double.url, token=None) as client, pytest.raises(Unauthorized) as caught:
        client.get_dashboard("d1")
    assert_one_line(caught.value, "GRAFANA_TOKEN", "GRAFANA_USER")


def test_viewer_token_is_told_the_missing_permission() -> None:
    with (
        GrafanaDouble(token=TOKEN, token_role="Viewer") as double,
        client_for(double.url) as client,
        pytest.raises(Forbidden) as caught,
    ):
        client.save_dashboard(dashboard(), folder_uid="", message="m")
    assert_one_line(caught.value, "403", "dashboards:write", "Editor")


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with client_for(url, retries=1) as client, pytest.raises(ConnectionFailed) as caught:
        client.get_dashboard("d1")
    assert_one_line(caught.value, "connection refused", "2 attempts", "GRAFANA_URL")


def test_dns_failure_is_not_retried() -> None:
    with (
        client_for("http://grafana.invalid", retries=3) as client,
        pytest.raises(ConnectionFailed) as caught,
    ):
        client.get_dashboard("d1")
    assert_one_line(caught.value, "cannot resolve the host grafana.invalid", "GRAFANA_URL")


def test_timeout() -> None:
    with (
        GrafanaDouble(token=TOKEN, latency=0.3) as double,
        client_for(double.url, timeout=0.05, retries=1) as client,
        pytest.raises(ConnectionFailed) as caught,
    ):
        client.get_dashboard("d1")
    assert_one_line(caught.value, "did not answer within 0.05 s", "--timeout")


def test_5xx_and_dropped_connections_are_retried(double: GrafanaDouble) -> None:
    double.fail_next(1, 503)
    double.fail_next(1, 500)
    double.drop_next(1)
    with client_for(double.url) as client:
        assert client.get_dashboard("d1") is None
    assert [r.status for r in double.requests] == [503, 500, None, 404]


def test_retries_give_up_with_a_clear_error(double: GrafanaDouble) -> None:
    double.fail_next(3, 502)
    with client_for(double.url, retries=2) as client, pytest.raises(GrafanaError) as caught:
        client.get_dashboard("d1")
    assert_one_line(caught.value, "502", "every retry")
    assert double.count("GET") == 3


def test_dropped_connection_on_every_attempt(double: GrafanaDouble) -> None:
    double.drop_next(2)
    with client_for(double.url, retries=1) as client, pytest.raises(ConnectionFailed) as caught:
        client.get_dashboard("d1")
    assert_one_line(caught.value, "dropped", "2 attempts")


def test_lost_answer_then_retried_save_meets_412(double: GrafanaDouble) -> None:
    with client_for(double.url) as client:
        client.save_dashboard(dashboard(), folder_uid="", message="m")
        double.lose_response_next(1)
        with pytest.raises(VersionMismatch):
            client.save_dashboard({**dashboard(), "version": 1}, folder_uid="", message="m")
    assert double.meta("d1") is not None
    assert double.meta("d1")["version"] == 2  # type: ignore[index]  # written exactly once


def test_provisioned_dashboard_save_is_refused_clearly(double: GrafanaDouble) -> None:
    double.provision("d1", dashboard())
    with client_for(double.url) as client, pytest.raises(GrafanaError) as caught:
        client.save_dashboard({**dashboard(), "version": 1}, folder_uid="", message="m")
    assert_one_line(caught.value, "provisioned", "provisioning files")


def test_name_exists_on_grafana_11_2() -> None:
    with GrafanaDouble(token=TOKEN, version="11.2.0") as double, client_for(double.url) as client:
        client.save_dashboard(dashboard("a", "Same"), folder_uid="", message="m")
        with pytest.raises(GrafanaError) as caught:
            client.save_dashboard(dashboard("b", "Same"), folder_uid="", message="m")
    assert_one_line(caught.value, "same title", "rename")


def test_too_large_names_the_proxy_limit() -> None:
    call = Call("POST", "/api/dashboards/db", "save dashboard big", "dashboards:write")
    body = {"message": "Dashboard is too large, max is 16 MB"}
    error = error_from_response(call, 413, body, auth="token", org_id=None)
    assert error.status == 413 and not error.fatal
    assert_one_line(error, "big", "16 MB", "client_max_body_size")


def test_version_and_folder_helpers(double: GrafanaDouble) -> None:
    with client_for(double.url) as client:
        client.create_folder("f", "Folder")
        client.create_folder("g", "Child", parent_uid="f")
        client.save_dashboard(dashboard(), folder_uid="g", message="first")
        client.save_dashboard({**dashboard(), "version": 1}, folder_uid="g", message="second")
        versions = client.versions("d1", limit=1)
        assert [(v.version, v.message) for v in versions] == [(2, "second")]
        assert [f["uid"] for f in client.list_folders("f")] == ["g"]
        assert [h["uid"] for h in client.search_dashboards("g")] == ["d1"]
        assert client.get_folder("missing") is None
        assert client.delete_dashboard("d1") is True
        assert client.delete_dashboard("d1") is False


def test_token_is_in_no_repr_log_or_exception(
    double: GrafanaDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = GrafanaConfig(double.url, token=TOKEN, password="pw_SECRET_ZZZ")
    assert SECRET not in repr(config)
    seen: list[str] = []
    with client_for(double.url) as client:
        seen.append(repr(client))
        client.save_dashboard(dashboard(), folder_uid="", message="m")
        double.drop_next(10)
        with pytest.raises(GrafanaError) as caught:
            client.get_dashboard("d1")
        seen.append(everything_said(caught.value))
    with client_for(f"http://127.0.0.1:{free_port()}", retries=0) as client:
        with pytest.raises(GrafanaError) as caught:
            client.get_dashboard("d1")
        seen.append(everything_said(caught.value))
    seen.append(caplog.text)
    assert "GET /api/dashboards/uid/d1" in caplog.text  # the log is there, the token is not
    for text in seen:
        assert SECRET not in text


def test_a_token_with_spaces_is_refused_before_sending() -> None:
    pasted = TOKEN + " \n"
    with pytest.raises(ConfigError) as caught:
        GrafanaClient(GrafanaConfig("http://127.0.0.1:1", token=pasted))
    assert_one_line(caught.value, "GRAFANA_TOKEN")


def test_url_must_be_http() -> None:
    with pytest.raises(ConfigError) as caught:
        GrafanaClient(GrafanaConfig("grafana.example.com", token=TOKEN))
    assert_one_line(caught.value, "GRAFANA_URL")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:notaport",
        "http://127.0.0.1:99999",
        "http://[::1",
        "ftp://grafana.example.com",
    ],
)
def test_a_malformed_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        GrafanaClient(GrafanaConfig(url, token=TOKEN))
    assert_one_line(caught.value, "GRAFANA_URL")


def test_https_to_a_plain_http_server_says_use_http_not_insecure(double: GrafanaDouble) -> None:
    url = f"https://127.0.0.1:{double.port}"
    with client_for(url, insecure=True) as client, pytest.raises(ConfigError) as caught:
        client.get_dashboard("d1")
    assert_one_line(caught.value, "plain HTTP", "http://")
    assert "--insecure" not in str(caught.value)


def test_a_server_that_is_not_grafana_is_named_so_not_a_missing_uid() -> None:
    with (
        serving(not_found_page) as (url, _),
        client_for(url) as client,
        pytest.raises(ConfigError) as caught,
    ):
        client.get_dashboard("d1")
    assert_one_line(caught.value, "does not answer as Grafana", "GRAFANA_URL")
    assert "check the uid" not in str(caught.value)


def test_search_stops_when_a_server_ignores_page() -> None:
    hits = json.dumps([{"uid": f"u{i}", "title": str(i)} for i in range(5000)]).encode()

    def same_page_forever(path: str) -> Answer:
        return 200, "application/json", hits, None

    with serving(same_page_forever) as (url, asked), client_for(url) as client:
        found = client.search_dashboards("f")
    assert len(found) == 5000 and len(asked) == 2


def test_folders_past_the_first_thousand_are_listed(double: GrafanaDouble) -> None:
    for i in range(1001):
        double.add_folder(f"Folder {i:04d}", uid=f"f{i}")
    with client_for(double.url) as client:
        assert len(client.list_folders()) == 1001


@pytest.mark.parametrize("claimed", [None, 4096], ids=["no-length", "short-of-length"])
def test_a_json_answer_cut_short_says_so(claimed: int | None) -> None:
    body = json.dumps({"dashboard": {"uid": "d1", "title": "One"}, "meta": {}}).encode()

    def cut(path: str) -> Answer:
        return 200, "application/json", body[:30], claimed if claimed else 30

    with (
        serving(cut) as (url, _),
        client_for(url, retries=0) as client,
        pytest.raises(GrafanaError) as caught,
    ):
        client.get_dashboard("d1")
    assert_one_line(caught.value, "cut short", "run again", "proxy")
    assert "not JSON" not in str(caught.value)
