"""The Grafana test double answers as Grafana's HTTP API does, over real HTTP.

The publisher's tests trust this double, so each rule it plays is pinned here: status codes,
error bodies, the version rules, folders, auth, orgs, the sub-path, the 11.2/12 differences,
and faults that leave the state untouched.
"""

from __future__ import annotations

import base64
import re
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from grafana_double import FAILURE_STATUSES, GrafanaDouble

TOKEN = "glsa_TESTTOKEN"
TIMEOUT = 5

Make = Callable[..., GrafanaDouble]


@pytest.fixture
def make() -> Iterator[Make]:
    """Start doubles on demand; each is stopped, and must not have crashed, at teardown."""
    started: list[GrafanaDouble] = []

    def _make(**kwargs: Any) -> GrafanaDouble:
        double = GrafanaDouble(**kwargs).start()
        started.append(double)
        return double

    yield _make
    for double in started:
        double.stop()
    assert [d.errors for d in started if d.errors] == []


@pytest.fixture
def grafana(make: Make) -> GrafanaDouble:
    return make()


def call(
    double: GrafanaDouble,
    method: str,
    path: str,
    *,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    sent = dict(headers or {})
    if token is not None:
        sent.setdefault("Authorization", f"Bearer {token}")
    return requests.request(method, double.url + path, headers=sent, timeout=TIMEOUT, **kwargs)


def save(double: GrafanaDouble, dashboard: dict[str, Any], **body: Any) -> requests.Response:
    return call(double, "POST", "/api/dashboards/db", json={"dashboard": dashboard, **body})


def created(double: GrafanaDouble, uid: str = "abc", title: str = "Triton", **body: Any) -> int:
    """Create a dashboard through the API; returns its version."""
    response = save(double, {"uid": uid, "title": title, "panels": []}, **body)
    assert response.status_code == 200, response.text
    return int(response.json()["version"])


# -- health and auth -----------------------------------------------------------------------


def test_health_needs_no_credentials_and_reports_database_state(grafana: GrafanaDouble) -> None:
    ok = call(grafana, "GET", "/api/health", token=None)
    assert ok.status_code == 200
    assert ok.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert ok.json()["database"] == "ok" and ok.json()["version"] == "12.0.0"
    assert ok.text.startswith("{\n  ")  # pretty-printed, as Grafana does
    grafana.healthy = False
    failing = call(grafana, "GET", "/api/health", token=None)
    assert failing.status_code == 503 and failing.json()["database"] == "failing"


def test_anonymous_request_gets_grafanas_401_body(grafana: GrafanaDouble) -> None:
    response = call(grafana, "GET", "/api/search", token=None)
    assert response.status_code == 401
    assert response.content == (
        b'{"message":"Unauthorized","messageId":"auth.unauthorized","statusCode":401,"traceID":""}'
    )


def test_wrong_service_account_token_is_an_invalid_api_key(grafana: GrafanaDouble) -> None:
    response = call(grafana, "GET", "/api/search", token="glsa_WRONG")
    assert response.status_code == 401
    assert response.json()["messageId"] == "api-key.invalid"
    assert response.json()["message"] == "Invalid API key"


def test_basic_auth_user_and_token_as_api_key_password(make: Make) -> None:
    grafana = make(users={"admin": "s3cret"})
    assert call(grafana, "GET", "/api/search", token=None, auth=("admin", "s3cret")).ok
    assert call(grafana, "GET", "/api/search", token=None, auth=("api_key", TOKEN)).ok
    wrong = call(grafana, "GET", "/api/search", token=None, auth=("admin", "nope"))
    assert wrong.status_code == 401
    assert wrong.json()["messageId"] == "password-auth.failed"
    response = call(
        grafana,
        "POST",
        "/api/dashboards/db",
        token=None,
        auth=("admin", "s3cret"),
        json={"dashboard": {"uid": "u", "title": "By admin"}},
    )
    assert response.status_code == 200
    assert grafana.meta("u") is not None
    assert grafana.versions("u")[0]["createdBy"] == "admin"


def test_viewer_gets_403_rbac_body_on_every_write_and_nothing_changes(make: Make) -> None:
    grafana = make(token_role="Viewer")
    grafana.ui_save("abc", {"title": "Existing"})
    for method, path, body in [
        ("POST", "/api/dashboards/db", {"dashboard": {"title": "x"}}),
        ("DELETE", "/api/dashboards/uid/abc", None),
        ("POST", "/api/folders", {"title": "f"}),
        ("GET", "/api/dashboards/uid/abc/versions", None),
    ]:
        response = call(grafana, method, path, json=body)
        assert response.status_code == 403, (method, path)
        answer = response.json()
        assert answer["title"] == "Access denied"
        assert answer["message"].startswith("You'll need additional permissions")
        assert re.fullmatch(r"ACE\d{10}", answer["accessErrorId"])
    assert "dashboards:create" in save(grafana, {"title": "x"}).json()["message"]
    assert call(grafana, "GET", "/api/dashboards/uid/abc").status_code == 200  # reads allowed
    assert grafana.dashboard_uids() == ["abc"] and grafana.folders() == []
    assert grafana.meta("abc")["version"] == 1  # type: ignore[index]


@pytest.mark.parametrize("profile", ["11", "12", "13"])
def test_every_signed_in_caller_may_ask_what_it_may_do(make: Make, profile: str) -> None:
    path = "/api/access-control/user/permissions"
    grafana = make(profile=profile, token=TOKEN, token_role="Viewer")
    grafana.add_folder("Team", "team")
    assert call(grafana, "GET", path, token=None).status_code == 401
    viewer = call(grafana, "GET", path).json()
    assert viewer["folders:read"] == ["folders:uid:general", "folders:uid:team"]
    assert "folders:create" not in viewer and "dashboards:create" not in viewer
    grafana.token_role = "Editor"
    editor = call(grafana, "GET", path).json()
    assert editor["folders:create"] == ["folders:uid:general", "folders:uid:team"]
    assert editor["dashboards:write"] == ["folders:uid:team"]
    grafana.token_role = "Admin"
    assert "folders:*" in call(grafana, "GET", path).json()["folders:create"]
    grafana.token_role = "None"
    assert call(grafana, "GET", path).json() == {}


# -- orgs ----------------------------------------------------------------------------------


def test_org_header_selects_the_org(make: Make) -> None:
    grafana = make(orgs=(1, 2))
    response = call(
        grafana,
        "POST",
        "/api/dashboards/db",
        headers={"X-Grafana-Org-Id": "2"},
        json={"dashboard": {"uid": "o2", "title": "Org two"}},
    )
    assert response.status_code == 200
    assert grafana.dashboard("o2", org_id=2) is not None
    assert grafana.dashboard("o2", org_id=1) is None
    assert call(grafana, "GET", "/api/dashboards/uid/o2").status_code == 404  # default org 1
    in_two = call(grafana, "GET", "/api/dashboards/uid/o2", headers={"X-Grafana-Org-Id": "2"})
    assert in_two.status_code == 200


def test_token_used_with_an_org_it_does_not_belong_to_is_401(grafana: GrafanaDouble) -> None:
    response = call(grafana, "GET", "/api/search", headers={"X-Grafana-Org-Id": "7"})
    assert response.status_code == 401
    assert response.json()["messageId"] == "api-key.organization-mismatch"
    assert response.json()["message"] == "API key does not belong to the requested organization"


def test_user_in_an_org_they_are_not_member_of_has_no_role(make: Make) -> None:
    grafana = make(users={"bob": "pw"})
    response = call(
        grafana,
        "POST",
        "/api/dashboards/db",
        token=None,
        auth=("bob", "pw"),
        headers={"X-Grafana-Org-Id": "9"},
        json={"dashboard": {"title": "x"}},
    )
    assert response.status_code == 403
    assert grafana.dashboard_uids() == []


# -- save and get --------------------------------------------------------------------------


def test_create_answers_like_grafana_and_get_returns_dashboard_and_meta(
    grafana: GrafanaDouble,
) -> None:
    response = save(grafana, {"uid": "abc", "title": "Triton Overview", "panels": []})
    assert response.status_code == 200
    answer = response.json()
    assert answer == {
        "id": answer["id"],
        "uid": "abc",
        "url": "/d/abc/triton-overview",
        "status": "success",
        "version": 1,
        "slug": "triton-overview",
        "folderUid": "",
    }
    got = call(grafana, "GET", "/api/dashboards/uid/abc").json()
    assert got["dashboard"] == {
        "id": answer["id"],
        "uid": "abc",
        "title": "Triton Overview",
        "panels": [],
        "version": 1,
    }
    meta = got["meta"]
    assert meta["folderUid"] == "" and meta["folderTitle"] == "General"
    assert meta["folderId"] == 0 and meta["provisioned"] is False
    assert meta["url"] == "/d/abc/triton-overview" and meta["slug"] == "triton-overview"
    assert meta["createdBy"] == meta["updatedBy"] == "sa-1-triton-dashboards"
    assert meta["canSave"] is True and meta["version"] == 1 and meta["type"] == "db"
    assert meta["created"].endswith("Z") and meta["updated"].endswith("Z")
    assert grafana.dashboard("abc") == got["dashboard"]
    assert grafana.meta("abc") == meta


def test_missing_uid_is_generated(grafana: GrafanaDouble) -> None:
    uid = save(grafana, {"title": "No uid", "uid": None}).json()["uid"]
    assert re.fullmatch(r"[a-z][a-z0-9]{13}", uid)
    assert grafana.dashboard(uid) is not None


def test_get_unknown_dashboard_is_404(grafana: GrafanaDouble) -> None:
    response = call(grafana, "GET", "/api/dashboards/uid/nope")
    assert response.status_code == 404
    assert response.json() == {"message": "Dashboard not found", "traceID": ""}


def test_every_save_bumps_version_even_for_identical_json(grafana: GrafanaDouble) -> None:
    created(grafana)
    same = {"uid": "abc", "title": "Triton", "panels": []}
    for expected in (2, 3):
        response = save(grafana, {**same, "version": expected - 1}, message=f"save {expected}")
        assert response.json()["version"] == expected
    history = grafana.versions("abc")
    assert [v["version"] for v in history] == [3, 2, 1]  # newest first
    assert [v["message"] for v in history] == ["save 3", "save 2", "Initial save"]
    assert all(v["createdBy"] == "sa-1-triton-dashboards" for v in history)
    assert history[0]["parentVersion"] == 2
    assert grafana.dashboard("abc")["version"] == 3  # type: ignore[index]


def test_first_save_keeps_its_message(grafana: GrafanaDouble) -> None:
    created(grafana, message="triton-dashboards sha256:abc")
    assert grafana.versions("abc")[0]["message"] == "triton-dashboards sha256:abc"


def test_stale_or_missing_version_is_412_and_changes_nothing(grafana: GrafanaDouble) -> None:
    created(grafana)
    save(grafana, {"uid": "abc", "title": "Triton", "version": 1})
    for version in (None, 0, 1, 7):
        dashboard: dict[str, Any] = {"uid": "abc", "title": "Changed"}
        if version is not None:
            dashboard["version"] = version
        response = save(grafana, dashboard)
        assert response.status_code == 412
        assert response.content == (
            b'{"message":"The dashboard has been changed by someone else",'
            b'"status":"version-mismatch"}'
        )
    assert grafana.dashboard("abc")["title"] == "Triton"  # type: ignore[index]
    assert len(grafana.versions("abc")) == 2


def test_overwrite_replaces_a_stale_version(grafana: GrafanaDouble) -> None:
    created(grafana)
    grafana.ui_save("abc", {"title": "Edited in the UI"})
    response = save(grafana, {"uid": "abc", "title": "Ours", "version": 1}, overwrite=True)
    assert response.status_code == 200 and response.json()["version"] == 3
    assert grafana.dashboard("abc")["title"] == "Ours"  # type: ignore[index]


def test_ui_save_is_a_person_editing(grafana: GrafanaDouble) -> None:
    created(grafana)
    version = grafana.ui_save(
        "abc", lambda d: d["panels"].append({"type": "text"}), message="tweak"
    )
    assert version == 2
    latest = grafana.versions("abc")[0]
    assert (latest["createdBy"], latest["message"]) == ("alice", "tweak")
    assert grafana.meta("abc")["updatedBy"] == "alice"  # type: ignore[index]
    assert grafana.dashboard("abc")["panels"] == [{"type": "text"}]  # type: ignore[index]


EMPTY_TITLE = {"message": "Dashboard title cannot be empty", "status": "empty-name"}
LONG_TITLE = {
    "message": "Dashboard title cannot contain more than 5 000 characters",
    "status": "title-too-long",
}
SAVE_RULES = [
    ({"title": "  "}, {}, 400, EMPTY_TITLE),
    ({"title": "t", "uid": "a/b"}, {}, 400, {"message": "uid contains illegal characters"}),
    ({"title": "t", "uid": "a" * 41}, {}, 400, {"message": "uid too long, max 40 characters"}),
    (
        {"title": "t"},
        {"message": "m" * 501},
        400,
        {"message": "message too long, max 500 characters"},
    ),
    ({"title": "t" * 5001}, {}, 400, LONG_TITLE),
    (
        {"title": "t"},
        {"isFolder": True},
        400,
        {"message": "Use folders endpoint for saving folders."},
    ),
    ({"title": "t", "id": 999}, {}, 404, {"message": "Dashboard not found", "status": "not-found"}),
    ({"title": "t"}, {"overwrite": "yes"}, 400, {"message": "bad request data"}),
    ({"title": "t"}, {"folderUid": 7}, 400, {"message": "bad request data"}),
]


@pytest.mark.parametrize(("dashboard", "body", "status", "answer"), SAVE_RULES)
def test_save_validation(
    grafana: GrafanaDouble,
    dashboard: dict[str, Any],
    body: dict[str, Any],
    status: int,
    answer: dict[str, Any],
) -> None:
    response = save(grafana, dashboard, **body)
    assert response.status_code == status
    assert response.json() == answer
    assert grafana.dashboard_uids() == []


def test_uid_of_exactly_40_characters_is_fine(grafana: GrafanaDouble) -> None:
    assert save(grafana, {"title": "t", "uid": "a" * 40}).status_code == 200


def test_body_that_is_not_json_is_bad_request_data(grafana: GrafanaDouble) -> None:
    response = call(grafana, "POST", "/api/dashboards/db", data=b"{not json")
    assert response.status_code == 400
    assert response.json() == {"message": "bad request data"}


def test_id_and_uid_of_two_different_dashboards_is_400(grafana: GrafanaDouble) -> None:
    created(grafana, "one", "One")
    created(grafana, "two", "Two")
    first_id = grafana.dashboard("one")["id"]  # type: ignore[index]
    response = save(grafana, {"id": first_id, "uid": "two", "title": "x", "version": 1})
    assert response.status_code == 400
    assert response.json() == {"message": "A dashboard with the same uid already exists"}


def test_refresh_below_minimum_is_replaced_not_refused(grafana: GrafanaDouble) -> None:
    for uid, refresh, stored in [("a", "1s", "5s"), ("b", "30s", "30s"), ("c", "", "")]:
        assert save(grafana, {"uid": uid, "title": uid, "refresh": refresh}).status_code == 200
        assert grafana.dashboard(uid)["refresh"] == stored  # type: ignore[index]


def test_dashboard_of_a_plugin_needs_overwrite(grafana: GrafanaDouble) -> None:
    grafana.install_plugin_dashboard("plug", {"title": "From plugin"}, "triton-app")
    response = save(grafana, {"uid": "plug", "title": "Mine", "version": 1})
    assert response.status_code == 412
    assert response.json() == {
        "message": "The dashboard belongs to plugin triton-app.",
        "status": "plugin-dashboard",
    }
    forced = save(grafana, {"uid": "plug", "title": "Mine", "version": 1}, overwrite=True)
    assert forced.status_code == 200


def test_provisioned_dashboard_cannot_be_saved_or_deleted(grafana: GrafanaDouble) -> None:
    grafana.provision("prov", {"title": "From a file"})
    assert grafana.meta("prov")["provisioned"] is True  # type: ignore[index]
    response = save(grafana, {"uid": "prov", "title": "x", "version": 1}, overwrite=True)
    assert response.status_code == 400
    assert response.json() == {"message": "Cannot save provisioned dashboard"}
    deleted = call(grafana, "DELETE", "/api/dashboards/uid/prov")
    assert deleted.status_code == 400
    assert deleted.json() == {"message": "provisioned dashboard cannot be deleted"}
    assert grafana.dashboard("prov")["title"] == "From a file"  # type: ignore[index]


def test_provisioned_with_ui_updates_allowed_can_be_saved(grafana: GrafanaDouble) -> None:
    grafana.provision("prov", {"title": "From a file"}, allow_ui_updates=True)
    assert grafana.meta("prov")["provisioned"] is False  # type: ignore[index]
    assert save(grafana, {"uid": "prov", "title": "x", "version": 1}).status_code == 200


def test_quota_reached_on_create(make: Make) -> None:
    grafana = make(dashboard_quota=1)
    created(grafana, "one")
    response = save(grafana, {"uid": "two", "title": "Two"})
    assert response.status_code == 403
    assert response.json() == {"message": "Quota reached"}
    assert save(grafana, {"uid": "one", "title": "Again", "version": 1}).status_code == 200


def test_body_over_16_mib_is_413_on_grafana_12(grafana: GrafanaDouble) -> None:
    big = {"dashboard": {"uid": "big", "title": "Big", "description": "x" * (16 * 1024 * 1024)}}
    response = call(grafana, "POST", "/api/dashboards/db", json=big)
    assert response.status_code == 413
    assert response.json() == {"message": "Dashboard is too large, max is 16 MB"}
    assert grafana.dashboard("big") is None


# -- folders on save -----------------------------------------------------------------------


def test_save_into_a_folder(grafana: GrafanaDouble) -> None:
    grafana.add_folder("Triton", "triton")
    response = save(grafana, {"uid": "abc", "title": "In folder"}, folderUid="triton")
    assert response.json()["folderUid"] == "triton"
    meta = grafana.meta("abc")
    assert meta is not None
    assert (meta["folderUid"], meta["folderTitle"]) == ("triton", "Triton")
    assert meta["folderUrl"] == "/dashboards/f/triton/triton"


def test_update_without_folder_moves_dashboard_to_root(grafana: GrafanaDouble) -> None:
    grafana.add_folder("Triton", "triton")
    created(grafana, folderUid="triton")
    save(grafana, {"uid": "abc", "title": "Triton", "version": 1})
    assert grafana.meta("abc")["folderUid"] == ""  # type: ignore[index]


@pytest.mark.parametrize(
    ("version", "status", "answer"),
    [
        ("12.0.0", 400, {"message": "folder not found"}),
        ("11.2.0", 404, {"message": "Folder not found", "traceID": ""}),
    ],
)
def test_save_into_missing_folder(
    make: Make, version: str, status: int, answer: dict[str, Any]
) -> None:
    grafana = make(version=version)
    response = save(grafana, {"uid": "abc", "title": "t"}, folderUid="missing")
    assert (response.status_code, response.json()) == (status, answer)
    assert grafana.dashboard("abc") is None


# -- Grafana 11.2: unique titles -----------------------------------------------------------


def test_same_title_in_folder_is_412_on_11_2_and_fine_on_12(make: Make) -> None:
    old, new = make(version="11.2.0"), make(version="12.0.0")
    for grafana in (old, new):
        created(grafana, "one", "Same")
    refused = save(old, {"uid": "two", "title": "Same"})
    assert refused.status_code == 412
    assert refused.json() == {
        "message": "A dashboard with the same name in the folder already exists",
        "status": "name-exists",
    }
    assert old.dashboard_uids() == ["one"]
    assert save(new, {"uid": "two", "title": "Same"}).status_code == 200
    assert new.dashboard_uids() == ["one", "two"]


def test_overwrite_on_11_2_takes_over_the_same_titled_dashboard(make: Make) -> None:
    grafana = make(version="11.2.0")
    created(grafana, "one", "Same")
    response = save(grafana, {"uid": "two", "title": "Same", "tags": ["x"]}, overwrite=True)
    assert response.status_code == 200
    assert (response.json()["uid"], response.json()["version"]) == ("one", 2)
    assert grafana.dashboard_uids() == ["one"]
    assert grafana.dashboard("one")["tags"] == ["x"]  # type: ignore[index]


def test_dashboard_titled_like_a_folder_is_400_on_11_2(make: Make) -> None:
    grafana = make(version="11.2.0")
    grafana.add_folder("Triton", "triton")
    response = save(grafana, {"uid": "abc", "title": "Triton"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Dashboard name cannot be the same as folder",
        "status": "name-match",
    }


def test_long_message_and_title_pass_on_11_2(make: Make) -> None:
    grafana = make(version="11.2.0")
    assert save(grafana, {"uid": "a", "title": "t"}, message="m" * 501).status_code == 200


# -- delete --------------------------------------------------------------------------------


def test_delete_dashboard(grafana: GrafanaDouble) -> None:
    created(grafana)
    response = call(grafana, "DELETE", "/api/dashboards/uid/abc")
    assert response.status_code == 200
    assert response.json() == {
        "title": "Triton",
        "message": "Dashboard Triton deleted",
        "uid": "abc",
    }
    assert grafana.dashboard("abc") is None
    again = call(grafana, "DELETE", "/api/dashboards/uid/abc")
    assert (again.status_code, again.json()) == (404, {"message": "Dashboard not found"})


def test_delete_of_a_folder_uid_points_to_the_folders_endpoint(grafana: GrafanaDouble) -> None:
    grafana.add_folder("Triton", "triton")
    response = call(grafana, "DELETE", "/api/dashboards/uid/triton")
    assert response.status_code == 400
    assert response.json() == {"message": "Use folders endpoint for deleting folders."}


# -- versions ------------------------------------------------------------------------------


def test_versions_listing_shape_on_12_pages_with_continue_token(grafana: GrafanaDouble) -> None:
    created(grafana)
    for version in (1, 2, 3):
        save(grafana, {"uid": "abc", "title": "Triton", "version": version}, message=f"m{version}")
    first = call(grafana, "GET", "/api/dashboards/uid/abc/versions", params={"limit": 3}).json()
    assert set(first) == {"continueToken", "versions"}
    assert [v["version"] for v in first["versions"]] == [4, 3, 2]
    record = first["versions"][0]
    assert set(record) == {
        "id",
        "dashboardId",
        "uid",
        "parentVersion",
        "restoredFrom",
        "version",
        "created",
        "createdBy",
        "message",
    }
    assert (record["uid"], record["message"], record["parentVersion"]) == ("abc", "m3", 3)
    rest = call(
        grafana,
        "GET",
        "/api/dashboards/uid/abc/versions",
        params={"limit": 3, "continueToken": first["continueToken"]},
    ).json()
    assert [v["version"] for v in rest["versions"]] == [1]
    assert rest["continueToken"] == ""


def test_versions_listing_is_a_plain_array_on_11_2(make: Make) -> None:
    grafana = make(version="11.2.0")
    created(grafana)
    save(grafana, {"uid": "abc", "title": "Triton", "version": 1}, message="second")
    answer = call(
        grafana, "GET", "/api/dashboards/uid/abc/versions", params={"limit": 1, "start": 1}
    ).json()
    assert isinstance(answer, list)
    assert [v["version"] for v in answer] == [1]


def test_one_version_carries_its_data(grafana: GrafanaDouble) -> None:
    created(grafana)
    save(grafana, {"uid": "abc", "title": "Renamed", "version": 1})
    first = call(grafana, "GET", "/api/dashboards/uid/abc/versions/1").json()
    assert first["data"]["title"] == "Triton" and first["version"] == 1
    missing = call(grafana, "GET", "/api/dashboards/uid/abc/versions/9")
    assert missing.status_code == 404


# -- search --------------------------------------------------------------------------------


def test_search_filters_by_type_folder_query_and_tags(grafana: GrafanaDouble) -> None:
    grafana.add_folder("Triton", "triton")
    save(grafana, {"uid": "a", "title": "Alpha", "tags": ["gpu", "t"]}, folderUid="triton")
    save(grafana, {"uid": "b", "title": "beta", "tags": ["t"]}, folderUid="triton")
    save(grafana, {"uid": "c", "title": "Gamma"})

    def uids(**params: Any) -> list[str]:
        response = call(grafana, "GET", "/api/search", params=params)
        assert response.status_code == 200
        return [hit["uid"] for hit in response.json()]

    assert uids() == ["triton", "a", "b", "c"]  # folders first, then title, any case
    assert uids(type="dash-db", folderUIDs="triton") == ["a", "b"]
    assert uids(type="dash-db", folderUIDs="general") == ["c"]
    assert uids(query="ALP") == ["a"]
    assert uids(tag=["t", "gpu"]) == ["a"]
    assert uids(type="dash-folder") == ["triton"]
    assert uids(type="dash-db", limit=2, page=2) == ["c"]
    assert uids(type="dash-db", sort="alpha-desc") == ["c", "b", "a"]


def test_search_hit_shape_omits_folder_keys_at_root(grafana: GrafanaDouble) -> None:
    grafana.add_folder("Triton", "triton")
    save(grafana, {"uid": "a", "title": "In"}, folderUid="triton")
    save(grafana, {"uid": "b", "title": "Out"})
    hits = {h["uid"]: h for h in call(grafana, "GET", "/api/search?type=dash-db").json()}
    assert hits["a"]["folderUid"] == "triton" and hits["a"]["folderTitle"] == "Triton"
    assert hits["a"]["url"] == "/d/a/in" and hits["a"]["uri"] == "db/in"
    assert "folderUid" not in hits["b"] and hits["b"]["type"] == "dash-db"


def test_search_limits(grafana: GrafanaDouble) -> None:
    over = call(grafana, "GET", "/api/search", params={"limit": 5001})
    assert over.status_code == 422
    assert over.json()["message"].startswith("Limit is above maximum allowed (5000)")
    mixed = call(grafana, "GET", "/api/search", params={"dashboardIds": 1, "dashboardUIDs": "a"})
    assert mixed.status_code == 400
    assert mixed.json() == {"message": "search supports UIDs or IDs, not both"}


# -- folders -------------------------------------------------------------------------------


def test_create_get_and_list_nested_folders(grafana: GrafanaDouble) -> None:
    root = call(grafana, "POST", "/api/folders", json={"uid": "triton", "title": "Triton"})
    assert root.status_code == 200
    assert root.json()["url"] == "/dashboards/f/triton/triton"
    assert "parentUid" not in root.json()
    child = call(
        grafana, "POST", "/api/folders", json={"uid": "gpu", "title": "GPU", "parentUid": "triton"}
    )
    assert child.status_code == 200
    got = call(grafana, "GET", "/api/folders/gpu").json()
    assert got["parentUid"] == "triton"
    assert [p["uid"] for p in got["parents"]] == ["triton"]
    listed = call(grafana, "GET", "/api/folders").json()
    assert listed == [{"id": root.json()["id"], "uid": "triton", "title": "Triton"}]
    children = call(grafana, "GET", "/api/folders", params={"parentUid": "triton"}).json()
    assert children == [
        {"id": child.json()["id"], "uid": "gpu", "title": "GPU", "parentUid": "triton"}
    ]


def test_unknown_folder_is_404(grafana: GrafanaDouble) -> None:
    response = call(grafana, "GET", "/api/folders/nope")
    assert response.status_code == 404
    assert response.json() == {"message": "folder not found", "status": "not-found"}


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ({"title": " "}, {"message": "folder title cannot be empty"}),
        ({"title": "t", "uid": "a b"}, {"message": "uid contains illegal characters"}),
        ({"title": "t", "uid": "x" * 41}, {"message": "uid too long, max 40 characters"}),
    ],
)
def test_folder_validation(grafana: GrafanaDouble, body: dict[str, Any], answer: Any) -> None:
    response = call(grafana, "POST", "/api/folders", json=body)
    assert (response.status_code, response.json()) == (400, answer)
    assert grafana.folders() == []


@pytest.mark.parametrize(
    ("version", "status", "answer"),
    [
        (
            "12.0.0",
            412,
            {
                "message": "the folder has been changed by someone else",
                "status": "version-mismatch",
            },
        ),
        ("11.2.0", 409, {"message": "a folder/dashboard with the same uid already exists"}),
    ],
)
def test_folder_uid_taken(make: Make, version: str, status: int, answer: Any) -> None:
    grafana = make(version=version)
    grafana.add_folder("Triton", "triton")
    response = call(grafana, "POST", "/api/folders", json={"uid": "triton", "title": "Other"})
    assert (response.status_code, response.json()) == (status, answer)
    assert grafana.folder("triton")["title"] == "Triton"  # type: ignore[index]


def test_folder_same_title_409_on_11_2_allowed_on_12(make: Make) -> None:
    old, new = make(version="11.2.0"), make(version="12.0.0")
    for grafana in (old, new):
        grafana.add_folder("Triton", "one")
    refused = call(old, "POST", "/api/folders", json={"uid": "two", "title": "Triton"})
    assert refused.status_code == 409
    assert refused.json() == {
        "message": "a folder or dashboard in the general folder with the same name already exists"
    }
    assert call(new, "POST", "/api/folders", json={"uid": "two", "title": "Triton"}).ok
    assert (old.folders(), new.folders()) == (["one"], ["one", "two"])


def test_folder_with_unknown_parent_is_404(grafana: GrafanaDouble) -> None:
    response = call(grafana, "POST", "/api/folders", json={"title": "t", "parentUid": "nope"})
    assert response.status_code == 404
    assert grafana.folders() == []


def test_folders_nest_eight_deep_and_no_deeper(grafana: GrafanaDouble) -> None:
    parent = None
    for depth in range(1, 9):
        grafana.add_folder(f"level {depth}", f"f{depth}", parent)
        parent = f"f{depth}"
    response = call(grafana, "POST", "/api/folders", json={"title": "too deep", "parentUid": "f8"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Maximum nested folder depth reached",
        "messageId": "folder.maximum-depth-reached",
    }
    assert call(grafana, "POST", "/api/folders", json={"title": "ok", "parentUid": "f7"}).ok


def test_unknown_route_is_404(grafana: GrafanaDouble) -> None:
    response = call(grafana, "GET", "/api/nothing-here")
    assert (response.status_code, response.json()) == (404, {"message": "Not found"})


# -- sub-path ------------------------------------------------------------------------------


def test_sub_path_serves_the_api_below_it_and_nothing_outside(make: Make) -> None:
    grafana = make(sub_path="/grafana/")
    assert grafana.url.endswith("/grafana")
    answer = save(grafana, {"uid": "abc", "title": "Triton"}).json()
    assert answer["url"] == "/grafana/d/abc/triton"
    assert grafana.meta("abc")["url"] == "/grafana/d/abc/triton"  # type: ignore[index]
    root = grafana.url.removesuffix("/grafana")
    outside = requests.get(root + "/api/health", timeout=TIMEOUT)
    assert outside.status_code == 404
    assert grafana.requests[-1].path == "/api/health"
    assert grafana.requests[-1].full_path == "/api/health"
    assert grafana.requests[0].full_path == "/grafana/api/dashboards/db"
    assert grafana.count("POST", "/api/dashboards/db") == 1


# -- recorded traffic ----------------------------------------------------------------------


def test_requests_are_recorded_and_counted(grafana: GrafanaDouble) -> None:
    created(grafana)
    call(grafana, "GET", "/api/dashboards/uid/abc", params={"x": "1"})
    assert grafana.count() == 2
    assert grafana.count("GET") == 1 and grafana.count("post", "/api/dashboards/") == 1
    seen = grafana.requests[-1]
    assert (seen.method, seen.path, seen.query, seen.status) == (
        "GET",
        "/api/dashboards/uid/abc",
        {"x": ["1"]},
        200,
    )
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    grafana.reset_counts()
    assert grafana.count() == 0 and grafana.requests == []


# -- faults --------------------------------------------------------------------------------


def test_fail_next_answers_5xx_before_touching_state(grafana: GrafanaDouble) -> None:
    grafana.fail_next(2, 502, method="POST")
    assert call(grafana, "GET", "/api/search").status_code == 200  # GETs pass
    for _ in range(2):
        assert save(grafana, {"uid": "abc", "title": "t"}).status_code == 502
    assert grafana.dashboard("abc") is None
    assert [r.fault for r in grafana.requests] == [None, "fail", "fail"]
    assert created(grafana) == 1


def test_drop_next_closes_the_connection_without_answer(grafana: GrafanaDouble) -> None:
    grafana.drop_next()
    with pytest.raises(requests.ConnectionError):
        save(grafana, {"uid": "abc", "title": "t"})
    assert grafana.dashboard("abc") is None
    assert (grafana.requests[-1].fault, grafana.requests[-1].status) == ("drop", None)
    assert created(grafana) == 1


def test_lost_response_applies_the_write_so_a_retry_meets_412(grafana: GrafanaDouble) -> None:
    created(grafana)
    grafana.lose_response_next()
    assert call(grafana, "GET", "/api/dashboards/uid/abc").ok  # reads are not taken
    update = {"uid": "abc", "title": "Updated", "version": 1}
    with pytest.raises(requests.ConnectionError):
        save(grafana, update)
    assert grafana.dashboard("abc")["version"] == 2  # type: ignore[index]
    assert grafana.requests[-1].fault == "lose-response"
    assert save(grafana, update).status_code == 412


def test_failure_rate_fails_requests_with_5xx_and_writes_nothing(make: Make) -> None:
    grafana = make(seed=3)
    grafana.failure_rate = 1.0
    statuses = {save(grafana, {"uid": f"u{i}", "title": "t"}).status_code for i in range(20)}
    assert statuses <= set(FAILURE_STATUSES) and len(statuses) > 1
    assert grafana.dashboard_uids() == []


def test_drop_rate_drops_requests_and_writes_nothing(grafana: GrafanaDouble) -> None:
    grafana.drop_rate = 1.0
    for i in range(3):
        with pytest.raises(requests.ConnectionError):
            save(grafana, {"uid": f"u{i}", "title": "t"})
    assert grafana.dashboard_uids() == []


def test_random_faults_follow_the_seed_not_the_arrival_order(make: Make) -> None:
    def faults(seed: int, order: list[int]) -> dict[str, list[str | None]]:
        grafana = make(seed=seed)
        grafana.failure_rate = 0.5
        for i in order:
            for _ in range(2):  # the second try of a request is drawn afresh
                call(grafana, "GET", f"/api/dashboards/uid/d{i}")
        seen: dict[str, list[str | None]] = {}
        for r in grafana.requests:
            seen.setdefault(r.path, []).append(r.fault)
        return seen

    forward = faults(11, list(range(15)))
    assert forward == faults(11, list(reversed(range(15))))
    drawn = [fault for pair in forward.values() for fault in pair]
    assert "fail" in drawn and None in drawn
    assert any(pair[0] != pair[1] for pair in forward.values())
    assert forward != faults(12, list(range(15)))


def test_latency_delays_each_request(make: Make) -> None:
    grafana = make(latency=0.05)
    begun = time.perf_counter()
    call(grafana, "GET", "/api/health", token=None)
    assert time.perf_counter() - begun >= 0.05


# -- lifecycle -----------------------------------------------------------------------------


def test_stop_closes_the_port_and_open_connections() -> None:
    with GrafanaDouble() as grafana:
        port = grafana.port
        session = requests.Session()
        url = grafana.url
        assert session.get(url + "/api/health", timeout=TIMEOUT).ok  # keeps a pooled connection
    with pytest.raises(requests.ConnectionError):
        session.get(url + "/api/health", timeout=TIMEOUT)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass
    session.close()


def test_basic_header_that_is_not_base64_is_401(grafana: GrafanaDouble) -> None:
    bad = call(grafana, "GET", "/api/search", token=None, headers={"Authorization": "Basic !!"})
    assert bad.status_code == 401
    good = base64.b64encode(f"api_key:{TOKEN}".encode()).decode()
    assert call(
        grafana, "GET", "/api/search", token=None, headers={"Authorization": f"Basic {good}"}
    ).ok


def test_folder_rename_is_guarded_by_its_version(grafana: GrafanaDouble) -> None:
    grafana.add_folder("Triton", "triton")
    stale = call(grafana, "PUT", "/api/folders/triton", json={"title": "New", "version": 7})
    assert stale.status_code == 412
    assert stale.json() == {
        "message": "the folder has been changed by someone else",
        "status": "version-mismatch",
    }
    assert grafana.folder("triton")["title"] == "Triton"  # type: ignore[index]
    renamed = call(grafana, "PUT", "/api/folders/triton", json={"title": "New", "version": 1})
    assert (renamed.status_code, renamed.json()["version"]) == (200, 2)
    assert grafana.folder("triton")["title"] == "New"  # type: ignore[index]
    forced = call(grafana, "PUT", "/api/folders/triton", json={"title": "Newer", "overwrite": True})
    assert forced.json()["version"] == 3
