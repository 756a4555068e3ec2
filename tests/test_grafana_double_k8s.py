"""The Grafana double's Kubernetes-style API answers as Grafana's ``/apis`` do (Grafana API §6).

Each test names the section it checks. Everything goes over real HTTP with ``requests`` and a
timeout, against the profiles "11", "12.0", "12" and "13" (grafana_double/profiles.py).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from grafana_double import GrafanaDouble

TOKEN = "glsa_K8STOKEN"
TIMEOUT = 5
DASH = "dashboard.grafana.app"
FOLD = "folder.grafana.app"

Make = Callable[..., GrafanaDouble]


@pytest.fixture
def make() -> Iterator[Make]:
    """Doubles on demand (token ``TOKEN``); stopped at teardown, none may have crashed."""
    doubles: list[GrafanaDouble] = []
    with contextlib.ExitStack() as running:

        def _make(**kwargs: Any) -> GrafanaDouble:
            doubles.append(running.enter_context(GrafanaDouble(**{"token": TOKEN, **kwargs})))
            return doubles[-1]

        yield _make
    assert not [d.errors for d in doubles if d.errors]


@pytest.fixture
def g13(make: Make) -> GrafanaDouble:
    return make(profile="13")


@pytest.fixture
def g12(make: Make) -> GrafanaDouble:
    return make(profile="12")


def call(double: GrafanaDouble, method: str, path: str, **kwargs: Any) -> requests.Response:
    """One request with a timeout; ``token=None`` sends no credentials."""
    token = kwargs.pop("token", TOKEN)
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    sent.update(kwargs.pop("headers", {}))
    return requests.request(method, double.url + path, headers=sent, timeout=TIMEOUT, **kwargs)


def dashboards(version: str = "v1", ns: str = "default", name: str = "") -> str:
    return f"/apis/{DASH}/{version}/namespaces/{ns}/dashboards" + (f"/{name}" if name else "")


def folders(version: str = "v1", ns: str = "default", name: str = "") -> str:
    return f"/apis/{FOLD}/{version}/namespaces/{ns}/folders" + (f"/{name}" if name else "")


def spec(title: str = "Triton", schema: int = 42, **more: Any) -> dict[str, Any]:
    return {"title": title, "schemaVersion": schema, "panels": [], **more}


def body(
    name: str,
    the_spec: dict[str, Any] | None = None,
    *,
    version: str = "v1",
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    rv: str | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": f"{DASH}/{version}",
        "kind": "Dashboard",
        "metadata": metadata(name, annotations, labels, rv),
        "spec": spec() if the_spec is None else the_spec,
    }


def metadata(
    name: str, annotations: dict[str, str] | None, labels: dict[str, str] | None, rv: str | None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "annotations": annotations or {}}
    if labels:
        meta["labels"] = labels
    if rv is not None:
        meta["resourceVersion"] = rv
    return meta


def create(double: GrafanaDouble, name: str = "abc", version: str = "v1", **kw: Any) -> Any:
    the_spec = kw.pop("the_spec", None)
    response = call(
        double, "POST", dashboards(version), json=body(name, the_spec, version=version, **kw)
    )
    assert response.status_code == 201, response.text
    return response.json()


def status_body(code: int, reason: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    """The apimachinery ``Status`` of §6.6, written out here, not taken from the double."""
    failure = dict(kind="Status", apiVersion="v1", metadata={}, status="Failure")
    return {**failure, "message": message, "reason": reason, "details": details, "code": code}


# -- §6.1 versions and discovery -----------------------------------------------------------


def test_profile_11_serves_no_apis_and_says_11_in_health(make: Make) -> None:
    """§6.1: Grafana 11 has no Kubernetes-style dashboards; /api/health reports 11.x."""
    grafana = make(profile="11")
    assert call(grafana, "GET", "/api/health").json()["version"].startswith("11.")
    response = call(grafana, "GET", "/apis")
    assert (response.status_code, response.json()) == (404, {"message": "Not found"})
    assert call(grafana, "GET", dashboards("v1beta1")).status_code == 404


def test_default_double_keeps_the_legacy_only_behaviour(make: Make) -> None:
    """The double without a profile is the legacy-only Grafana 12.0.0 the older tests use."""
    grafana = make()
    assert call(grafana, "GET", "/api/health").json()["version"] == "12.0.0"
    assert call(grafana, "GET", "/apis").status_code == 404


@pytest.mark.parametrize(
    ("profile", "new_layouts", "dash_versions", "folder_versions"),
    [
        ("12.0", None, ["v1beta1", "v0alpha1", "v2alpha1"], ["v1beta1"]),
        ("12", None, ["v1beta1", "v0alpha1", "v2beta1", "v2alpha1"], ["v1beta1"]),
        ("12", True, ["v2beta1", "v1beta1", "v0alpha1", "v2alpha1"], ["v1beta1"]),
        ("13", None, ["v2", "v1", "v1beta1", "v0alpha1", "v2beta1", "v2alpha1"], ["v1", "v1beta1"]),
        (
            "13",
            False,
            ["v1", "v1beta1", "v0alpha1", "v2", "v2beta1", "v2alpha1"],
            ["v1", "v1beta1"],
        ),
    ],
)
def test_discovery_lists_the_release_versions_preferred_first(
    make: Make,
    profile: str,
    new_layouts: bool | None,
    dash_versions: list[str],
    folder_versions: list[str],
) -> None:
    """§6.1: the version table per release; dynamic dashboards only change the preferred one
    (on by default in 13, so 13 prefers v2)."""
    grafana = make(profile=profile, new_layouts=new_layouts)
    listing = call(grafana, "GET", "/apis").json()
    assert listing["kind"] == "APIGroupList"
    groups = {g["name"]: g for g in listing["groups"]}
    dash = groups[DASH]
    assert [v["version"] for v in dash["versions"]] == dash_versions
    assert dash["preferredVersion"] == {
        "groupVersion": f"{DASH}/{dash_versions[0]}",
        "version": dash_versions[0],
    }
    assert [v["version"] for v in groups[FOLD]["versions"]] == folder_versions
    group = call(grafana, "GET", f"/apis/{DASH}").json()
    assert (group["kind"], group["name"], group["versions"]) == ("APIGroup", DASH, dash["versions"])
    for version in dash_versions:  # every listed version is served
        assert call(grafana, "GET", dashboards(version)).status_code == 200


def test_discovery_resource_list_and_unserved_versions(g12: GrafanaDouble) -> None:
    """§6.1: /apis/<group>/<version> is an APIResourceList; v1 is not served by 12."""
    resources = call(g12, "GET", f"/apis/{DASH}/v1beta1").json()
    assert resources["kind"] == "APIResourceList" and resources["groupVersion"] == f"{DASH}/v1beta1"
    assert [r["name"] for r in resources["resources"]] == ["dashboards", "dashboards/dto"]
    missing = call(g12, "GET", dashboards("v1"))
    assert missing.status_code == 404 and missing.json()["reason"] == "NotFound"
    assert call(g12, "GET", f"/apis/{DASH}/v1").status_code == 404
    assert call(g12, "GET", "/apis/nothing.grafana.app").status_code == 404


# -- §6.2 namespaces and auth --------------------------------------------------------------


def test_apis_without_credentials_is_grafanas_401_json_not_a_status(g13: GrafanaDouble) -> None:
    """§6.2/§6.6: /apis sits behind ReqSignedIn: Grafana's 401 body, discovery included; a
    wrong token is never echoed."""
    for path in ("/apis", dashboards()):
        response = call(g13, "GET", path, token=None)
        assert response.status_code == 401
        assert response.json()["messageId"] == "auth.unauthorized" and "kind" not in response.json()
    wrong = call(g13, "GET", dashboards(), token="glsa_WRONG_SECRET")
    assert wrong.status_code == 401 and wrong.json()["messageId"] == "api-key.invalid"
    assert "glsa_WRONG_SECRET" not in wrong.text and TOKEN not in wrong.text


def test_viewer_reads_and_gets_a_forbidden_status_on_writes(make: Make) -> None:
    """§6.6: 403 Forbidden, in the apiserver's words, names user, verb and namespace."""
    grafana = make(profile="13", token_role="Viewer", token_login="sa-1-viewer")
    assert call(grafana, "GET", dashboards()).status_code == 200
    response = call(grafana, "POST", dashboards(), json=body("abc"))
    assert response.status_code == 403
    assert response.json() == status_body(
        403,
        "Forbidden",
        f'dashboards.{DASH} is forbidden: User "sa-1-viewer" cannot create resource '
        f'"dashboards" in API group "{DASH}" in the namespace "default"',
        {"group": DASH, "kind": "dashboards"},
    )
    assert grafana.dashboard_uids() == [] and TOKEN not in response.text


def test_namespace_picks_the_org_not_the_header(make: Make) -> None:
    """§6.2: default is org 1, org-N the others, stacks-N on Cloud; the org header does not
    choose; a foreign org is 403, a malformed namespace 404."""
    grafana = make(profile="13", orgs=(1, 2))
    create(grafana, "one")
    response = call(grafana, "POST", dashboards(ns="org-2"), json=body("two"))
    assert response.status_code == 201 and response.json()["metadata"]["namespace"] == "org-2"
    assert grafana.dashboard_uids(org_id=2) == ["two"] and grafana.dashboard_uids() == ["one"]
    in_default = call(grafana, "GET", dashboards(), headers={"X-Grafana-Org-Id": "2"}).json()
    assert [i["metadata"]["name"] for i in in_default["items"]] == ["one"]
    foreign = call(grafana, "GET", dashboards(ns="org-7"))
    assert foreign.status_code == 403 and foreign.json()["reason"] == "Forbidden"
    assert call(grafana, "GET", dashboards(ns="nonsense")).status_code == 404
    cloud = make(profile="13", stack_id=12345)
    assert call(cloud, "POST", dashboards(ns="stacks-12345"), json=body("c")).status_code == 201
    assert call(cloud, "GET", dashboards(ns="default")).status_code == 404
    assert cloud.k8s_object("c")["metadata"]["namespace"] == "stacks-12345"  # type: ignore[index]


def test_token_with_a_foreign_org_header_is_still_401(g13: GrafanaDouble) -> None:
    """§1/§6.2: authentication reads the org header before /apis does anything."""
    response = call(g13, "GET", dashboards(), headers={"X-Grafana-Org-Id": "9"})
    assert response.status_code == 401
    assert response.json()["messageId"] == "api-key.organization-mismatch"


# -- §6.3/§6.4 the object and CRUD ---------------------------------------------------------


def test_create_answers_201_with_the_stored_object(g13: GrafanaDouble) -> None:
    """§6.3/§6.4 (checklist 4): generation 1, resourceVersion, metadata.uid, creation time,
    the internal-id label, server annotations; grant-permissions is never stored."""
    g13.add_folder("Triton", "tri")
    annotations = {
        "grafana.app/folder": "tri",
        "grafana.app/message": "first",
        "grafana.app/grant-permissions": "default",
        "grafana.app/createdBy": "user:forged",
        "grafana.app/sourcePath": "dashboards/abc.json",
    }
    made = create(g13, annotations=annotations, labels={"team": "ml"})
    meta = made["metadata"]
    assert made["apiVersion"] == f"{DASH}/v1" and made["kind"] == "Dashboard"
    assert (meta["name"], meta["namespace"], meta["generation"]) == ("abc", "default", 1)
    assert meta["resourceVersion"].isdigit() and len(meta["uid"]) > 20
    assert meta["creationTimestamp"].endswith("Z")
    assert meta["labels"] == {
        "grafana.app/deprecatedInternalID": meta["labels"]["grafana.app/deprecatedInternalID"],
        "team": "ml",
    }
    got = meta["annotations"]
    assert got["grafana.app/folder"] == "tri" and got["grafana.app/message"] == "first"
    assert (
        got["grafana.app/createdBy"]
        == got["grafana.app/updatedBy"]
        == "service-account:sa-1-triton-dashboards"
    )
    assert got["grafana.app/sourcePath"] == "dashboards/abc.json"
    assert "grafana.app/grant-permissions" not in got and "grafana.app/updatedTimestamp" in got
    assert made["spec"]["title"] == "Triton" and made["status"] == {}
    assert call(g13, "GET", dashboards(name="abc")).json() == made


def test_generate_name_makes_the_name(g13: GrafanaDouble) -> None:
    """§6.4: generateName replaces name on create."""
    sent = body("")
    sent["metadata"] = {"generateName": "tri-"}
    made = call(g13, "POST", dashboards(), json=sent).json()
    assert made["metadata"]["name"].startswith("tri-") and len(made["metadata"]["name"]) == 9


def test_duplicate_name_is_409_already_exists(g13: GrafanaDouble) -> None:
    """§6.6: 409 AlreadyExists, a full Status body."""
    create(g13)
    response = call(g13, "POST", dashboards(), json=body("abc"))
    assert response.status_code == 409
    assert response.json() == status_body(
        409,
        "AlreadyExists",
        f'dashboards.{DASH} "abc" already exists',
        {"name": "abc", "group": DASH, "kind": "dashboards"},
    )


def test_create_refuses_a_resource_version_and_a_missing_name(g13: GrafanaDouble) -> None:
    """§6.3: a create must not carry resourceVersion; an empty name is "missing name"."""
    response = call(g13, "POST", dashboards(), json=body("abc", rv="12"))
    assert (response.status_code, response.json()["reason"]) == (400, "BadRequest")
    nameless = call(g13, "POST", dashboards(), json=body(""))
    assert (nameless.status_code, nameless.json()["message"]) == (400, "missing name")
    assert g13.dashboard_uids() == []


def test_get_of_a_missing_dashboard_is_404_not_found_status(g13: GrafanaDouble) -> None:
    """§6.6 (checklist 5): the NotFound Status, exactly."""
    response = call(g13, "GET", dashboards(name="nope"))
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == status_body(
        404,
        "NotFound",
        f'dashboards.{DASH} "nope" not found',
        {"name": "nope", "group": DASH, "kind": "dashboards"},
    )


def test_stale_resource_version_is_409_conflict_and_an_absent_one_overwrites(
    g13: GrafanaDouble,
) -> None:
    """§6.4 (checklist 6): optimistic locking on resourceVersion; none means unconditional."""
    rv = create(g13)["metadata"]["resourceVersion"]
    first = call(g13, "PUT", dashboards(name="abc"), json=body("abc", spec("Two"), rv=rv))
    assert first.status_code == 200 and first.json()["metadata"]["resourceVersion"] != rv
    stale = call(g13, "PUT", dashboards(name="abc"), json=body("abc", spec("Three"), rv=rv))
    assert stale.status_code == 409
    assert stale.json() == status_body(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on dashboards.{DASH} "abc": the object has been modified; '
        "please apply your changes to the latest version and try again",
        {"name": "abc", "group": DASH, "kind": "dashboards"},
    )
    assert g13.dashboard("abc")["title"] == "Two"  # type: ignore[index]
    blind = call(g13, "PUT", dashboards(name="abc"), json=body("abc", spec("Four")))
    assert blind.status_code == 200 and g13.dashboard("abc")["title"] == "Four"  # type: ignore[index]


def test_put_of_a_missing_name_creates_it(g13: GrafanaDouble) -> None:
    """§6.4: AllowCreateOnUpdate."""
    response = call(g13, "PUT", dashboards(name="new"), json=body("new"))
    assert response.status_code == 201 and response.json()["metadata"]["generation"] == 1


def test_put_replaces_the_whole_object_so_no_folder_means_root(g13: GrafanaDouble) -> None:
    """§6.4: full replace, annotations included."""
    g13.add_folder("Triton", "tri")
    create(g13, annotations={"grafana.app/folder": "tri", "grafana.app/managerId": "x"})
    put = call(g13, "PUT", dashboards(name="abc"), json=body("abc")).json()
    assert "grafana.app/folder" not in put["metadata"]["annotations"]
    assert "grafana.app/managerId" not in put["metadata"]["annotations"]
    assert g13.meta("abc")["folderUid"] == ""  # type: ignore[index]


def test_unified_storage_moves_generation_only_on_a_change(g13: GrafanaDouble) -> None:
    """§6.3 (checklist 6, 13 profile): an identical PUT keeps generation, resourceVersion and
    updatedBy; a spec or folder change bumps the generation; a message alone is a new
    resourceVersion at the same generation."""
    made = create(g13)["metadata"]
    same = call(
        g13, "PUT", dashboards(name="abc"), json=body("abc", rv=made["resourceVersion"])
    ).json()
    assert same["metadata"]["generation"] == 1
    assert same["metadata"]["resourceVersion"] == made["resourceVersion"]
    g13.token_login = "sa-2-someone-else"
    noted = call(
        g13,
        "PUT",
        dashboards(name="abc"),
        json=body("abc", annotations={"grafana.app/message": "m"}),
    ).json()["metadata"]
    assert noted["generation"] == 1 and noted["resourceVersion"] != made["resourceVersion"]
    assert noted["annotations"]["grafana.app/updatedBy"] == "service-account:sa-1-triton-dashboards"
    changed = call(g13, "PUT", dashboards(name="abc"), json=body("abc", spec("Other"))).json()[
        "metadata"
    ]
    assert changed["generation"] == 2
    assert changed["annotations"]["grafana.app/updatedBy"] == "service-account:sa-2-someone-else"
    g13.add_folder("F", "f")
    moved = call(
        g13,
        "PUT",
        dashboards(name="abc"),
        json=body("abc", spec("Other"), annotations={"grafana.app/folder": "f"}),
    ).json()
    assert moved["metadata"]["generation"] == 3


def test_legacy_storage_bumps_generation_on_every_save(g12: GrafanaDouble) -> None:
    """§6.3 (checklist 6, 12 profile): generation is the legacy version."""
    made = create(g12, version="v1beta1")["metadata"]
    again = call(
        g12, "PUT", dashboards("v1beta1", name="abc"), json=body("abc", version="v1beta1")
    ).json()
    assert again["metadata"]["generation"] == 2
    assert again["metadata"]["resourceVersion"] != made["resourceVersion"]
    assert g12.meta("abc")["version"] == 2  # type: ignore[index]


def test_mutation_strips_id_uid_version_where_unified_storage_stores(make: Make) -> None:
    """§6.3 mutation (checklist 9): 13 strips spec id/uid/version; a legacy-storage read may
    still show them (12)."""
    for profile, version, shown in (("13", "v1", False), ("12", "v1beta1", True)):
        grafana = make(profile=profile)
        made = create(grafana, version=version, the_spec=spec(id=77, uid="abc", version=9))
        assert ("uid" in made["spec"]) is shown and ("version" in made["spec"]) is shown
        internal = made["metadata"]["labels"]["grafana.app/deprecatedInternalID"]
        assert internal != "77" and grafana.dashboard("abc")["id"] == int(internal)  # type: ignore[index]


def test_delete_answers_success_status_then_404(g13: GrafanaDouble) -> None:
    """§6.4 (checklist 7)."""
    uid = create(g13)["metadata"]["uid"]
    response = call(g13, "DELETE", dashboards(name="abc"))
    assert response.status_code == 200
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": "abc", "group": DASH, "kind": "dashboards", "uid": uid},
    }
    assert call(g13, "GET", dashboards(name="abc")).status_code == 404
    assert call(g13, "DELETE", dashboards(name="abc")).status_code == 404


def test_provisioned_dashboard_cannot_be_deleted(g13: GrafanaDouble) -> None:
    """§6.4 (checklist 14): 400 unless gracePeriodSeconds=0."""
    g13.provision("prov", {"title": "P", "schemaVersion": 42})
    response = call(g13, "DELETE", dashboards(name="prov"))
    assert response.status_code == 400
    assert response.json()["message"] == "provisioned dashboard cannot be deleted"
    assert call(g13, "DELETE", dashboards(name="prov"), params={"gracePeriodSeconds": "0"}).ok


def test_dto_adds_what_the_caller_may_do(g13: GrafanaDouble) -> None:
    """§6.4: /dto is the object plus an access block."""
    create(g13)
    dto = call(g13, "GET", dashboards(name="abc") + "/dto").json()
    assert dto["metadata"]["name"] == "abc" and dto["access"]["canSave"] is True


# -- §6.4 list, selectors, paging; §6.9 history --------------------------------------------


def test_list_pages_with_limit_and_an_opaque_continue(g13: GrafanaDouble) -> None:
    """§6.4 (checklist 8): continue is absent on the last page; a bad token is 400."""
    for n in range(5):
        create(g13, f"d{n}")
    names: list[str] = []
    token = None
    pages = 0
    while True:
        params = {"limit": "2", **({"continue": token} if token else {})}
        answer = call(g13, "GET", dashboards(), params=params).json()
        assert answer["kind"] == "DashboardList" and answer["apiVersion"] == f"{DASH}/v1"
        names += [i["metadata"]["name"] for i in answer["items"]]
        pages += 1
        token = answer["metadata"].get("continue")
        if not token:
            break
    assert (names, pages) == (["d0", "d1", "d2", "d3", "d4"], 3)
    bad = call(g13, "GET", dashboards(), params={"continue": "not-a-token"})
    assert (bad.status_code, bad.json()["reason"]) == (400, "BadRequest")


def test_selectors_match_labels_and_the_name_only(g13: GrafanaDouble) -> None:
    """§6.4: labelSelector on labels; fieldSelector on metadata.name only; no folder filter."""
    g13.add_folder("F", "f")
    create(g13, "a", labels={"team": "ml"}, annotations={"grafana.app/folder": "f"})
    create(g13, "b", labels={"team": "ops"})

    def names(**params: str) -> list[str]:
        return [
            i["metadata"]["name"]
            for i in call(g13, "GET", dashboards(), params=params).json()["items"]
        ]

    assert names(labelSelector="team=ml") == ["a"]
    assert names(labelSelector="team!=ml") == ["b"]
    assert names(labelSelector="team") == ["a", "b"]
    assert names(labelSelector="grafana.app/folder=f") == []  # an annotation, not a label
    assert names(fieldSelector="metadata.name=b") == ["b"]
    refused = call(
        g13, "GET", dashboards(), params={"fieldSelector": "metadata.annotations.folder=f"}
    )
    assert refused.status_code == 400


def test_history_lists_versions_newest_first_and_reads_one(g13: GrafanaDouble) -> None:
    """§6.9 (checklist 8): get-history + metadata.name; 400 without the name; ?resourceVersion."""
    first = create(g13, annotations={"grafana.app/message": "one"})
    call(
        g13,
        "PUT",
        dashboards(name="abc"),
        json=body("abc", spec("Two"), annotations={"grafana.app/message": "two"}),
    )
    of_abc = {"labelSelector": "grafana.app/get-history=true", "fieldSelector": "metadata.name=abc"}
    history = call(g13, "GET", dashboards(), params=of_abc).json()
    items = history["items"]
    assert [i["metadata"]["generation"] for i in items] == [2, 1]
    assert [i["metadata"]["annotations"]["grafana.app/message"] for i in items] == ["two", "one"]
    assert items[1]["spec"]["title"] == "Triton"
    old = call(
        g13,
        "GET",
        dashboards(name="abc"),
        params={"resourceVersion": first["metadata"]["resourceVersion"]},
    )
    assert old.status_code == 200 and old.json()["spec"]["title"] == "Triton"
    paged = call(g13, "GET", dashboards(), params={**of_abc, "limit": "1"}).json()
    assert len(paged["items"]) == 1 and paged["metadata"]["continue"]
    nameless = call(
        g13, "GET", dashboards(), params={"labelSelector": "grafana.app/get-history=true"}
    )
    assert nameless.status_code == 400


# -- §6.5 validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "the_spec", "annotations", "message"),
    [
        ("abc", spec(""), {}, "Dashboard title cannot be empty"),
        ("a.b", spec(), {}, "uid contains illegal characters"),
        ("x" * 41, spec(), {}, "uid too long, max 40 characters"),
        ("abc", spec(refresh="1s"), {}, "Dashboard refresh interval is too low"),
        ("abc", spec(tags=["t" * 51]), {}, "dashboard tag too long, max 50 characters"),
        ("abc", spec(), {"grafana.app/message": "m" * 501}, "message too long, max 500 characters"),
    ],
)
def test_write_validation_is_400_bad_request(
    g13: GrafanaDouble,
    name: str,
    the_spec: dict[str, Any],
    annotations: dict[str, str],
    message: str,
) -> None:
    """§6.5: the checks every fieldValidation mode makes; the k8s path refuses a low refresh."""
    response = call(g13, "POST", dashboards(), json=body(name, the_spec, annotations=annotations))
    assert response.status_code == 400
    answer = response.json()
    assert (answer["kind"], answer["reason"], answer["message"], answer["code"]) == (
        "Status",
        "BadRequest",
        message,
        400,
    )
    assert g13.dashboard_uids() == []


def test_missing_folder_is_404_on_folders(g13: GrafanaDouble) -> None:
    """§6.5: folders.folder.grafana.app "<uid>" not found."""
    response = call(
        g13, "POST", dashboards(), json=body("abc", annotations={"grafana.app/folder": "nope"})
    )
    assert response.status_code == 404
    assert response.json()["message"] == f'folders.{FOLD} "nope" not found'
    assert response.json()["details"] == {"name": "nope", "group": FOLD, "kind": "folders"}
    general = call(
        g13, "POST", dashboards(), json=body("abc", annotations={"grafana.app/folder": "general"})
    )
    assert general.status_code == 201  # "general" is the root


def test_quota_reached_is_403(make: Make) -> None:
    """§6.5."""
    grafana = make(profile="13", dashboard_quota=1)
    create(grafana, "one")
    response = call(grafana, "POST", dashboards(), json=body("two"))
    assert (response.status_code, response.json()["message"]) == (403, "Quota reached")


def test_13_migrates_a_v1_schema_version_to_42_on_write(g13: GrafanaDouble) -> None:
    """§6.3 mutation, §6.11: 41 is stored as 42 (also through the legacy read); below the
    minimum 9 is 422 Invalid, which Ignore lets through unmigrated."""
    made = create(g13, the_spec=spec(schema=41))
    assert made["spec"]["schemaVersion"] == 42 and g13.dashboard("abc")["schemaVersion"] == 42  # type: ignore[index]
    old = call(g13, "POST", dashboards(), json=body("old", spec(schema=5)))
    assert old.status_code == 422
    assert old.json()["details"]["causes"][0]["message"].endswith(
        "dashboard schema version 5 cannot be migrated to latest version 42 - migration path "
        "only exists for versions greater than 9"
    )
    ignored = call(
        g13,
        "POST",
        dashboards(),
        params={"fieldValidation": "Ignore"},
        json=body("old", spec(schema=5)),
    )
    assert ignored.status_code == 201 and ignored.json()["spec"]["schemaVersion"] == 5


def test_12_strict_mode_refuses_an_old_schema_version_with_422_invalid(g12: GrafanaDouble) -> None:
    """§6.5/§6.6: Strict is the default; 12 does not migrate, so 41 is 422 with the field;
    fieldValidation=Ignore stores it as sent; Warn is 400."""
    response = call(
        g12, "POST", dashboards("v1beta1"), json=body("abc", spec(schema=41), version="v1beta1")
    )
    assert response.status_code == 422
    cause = "Invalid value: 41: Schema version 41 is not supported - please upgrade to 42"
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'Dashboard.{DASH} "abc" is invalid: spec.schemaVersion: {cause}',
        "reason": "Invalid",
        "details": {
            "name": "abc",
            "group": DASH,
            "kind": "Dashboard",
            "causes": [
                {"reason": "FieldValueInvalid", "message": cause, "field": "spec.schemaVersion"}
            ],
        },
        "code": 422,
    }
    ignored = call(
        g12,
        "POST",
        dashboards("v1beta1"),
        params={"fieldValidation": "Ignore"},
        json=body("abc", spec(schema=41), version="v1beta1"),
    )
    assert ignored.status_code == 201 and ignored.json()["spec"]["schemaVersion"] == 41
    warn = call(
        g12,
        "POST",
        dashboards("v1beta1"),
        params={"fieldValidation": "Warn"},
        json=body("w", version="v1beta1"),
    )
    assert (warn.status_code, warn.json()["message"]) == (
        400,
        "Not supported: FieldValidationMode: Warn",
    )


def test_body_of_another_version_or_kind_is_400(g13: GrafanaDouble) -> None:
    """§6.4: the apiVersion in the body must be the path's (apimachinery)."""
    response = call(g13, "POST", dashboards("v1"), json=body("abc", version="v2"))
    assert (
        response.status_code == 400
        and "does not match the expected API version" in response.json()["message"]
    )
    assert call(g13, "POST", dashboards(), data=b"{not json").status_code == 400
    assert call(g13, "PATCH", dashboards(name="abc"), json={}).status_code == 405


# -- §6.7 conversion and the legacy API ----------------------------------------------------


def test_legacy_get_of_a_v2_stored_dashboard_is_406_naming_the_apis_url(make: Make) -> None:
    """§6.7 (checklist 12): someone saved it in the UI as v2; the message names the stored
    version and the namespace."""
    grafana = make(profile="13", orgs=(1, 2))
    create(grafana)
    grafana.ui_save_v2("abc")
    response = call(grafana, "GET", "/api/dashboards/uid/abc")
    assert response.status_code == 406
    assert response.json() == {
        "message": "dashboard api version not supported, use "
        f"/apis/{DASH}/v2/namespaces/default/dashboards/abc instead"
    }
    grafana.ui_save("o2", {"title": "Org two", "schemaVersion": 42}, org_id=2)
    grafana.ui_save_v2("o2", org_id=2, version="v2beta1")
    other = call(grafana, "GET", "/api/dashboards/uid/o2", headers={"X-Grafana-Org-Id": "2"})
    assert (
        other.status_code == 406
        and "/v2beta1/namespaces/org-2/dashboards/o2" in other.json()["message"]
    )


def test_reads_through_the_other_family_convert_and_say_so(g13: GrafanaDouble) -> None:
    """§6.7 (checklist 11): 200 with status.conversion{failed, storedVersion} both ways."""
    panel = {
        "id": 1,
        "type": "timeseries",
        "title": "p99",
        "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
        "targets": [
            {"refId": "A", "expr": "up", "datasource": {"type": "prometheus", "uid": "prom"}}
        ],
    }
    create(g13, the_spec=spec(panels=[panel]))
    as_v2 = call(g13, "GET", dashboards("v2", name="abc")).json()
    assert as_v2["status"] == {"conversion": {"failed": False, "storedVersion": "v1"}}
    assert as_v2["spec"]["elements"]["panel-1"]["spec"]["title"] == "p99"
    assert as_v2["spec"]["layout"]["kind"] == "GridLayout"
    assert call(g13, "GET", dashboards("v1", name="abc")).json()["status"] == {}
    g13.ui_save_v2("abc")
    as_v1 = call(g13, "GET", dashboards("v1", name="abc")).json()
    assert as_v1["status"]["conversion"] == {"failed": False, "storedVersion": "v2"}
    assert as_v1["spec"]["panels"][0]["targets"][0]["expr"] == "up"
    assert as_v1["spec"]["panels"][0]["gridPos"] == panel["gridPos"]
    assert as_v1["spec"]["schemaVersion"] == 42


def test_a_conversion_that_fails_is_still_200_with_failed_true(g13: GrafanaDouble) -> None:
    """§6.7: a default spec, failed:true and the error; never a 5xx."""
    g13.ui_save("abc", {"title": "T", "schemaVersion": 42})
    g13.ui_save_v2(
        "abc", {"title": "T", "elements": {}, "layout": {"kind": "Nonsense", "spec": {}}}
    )
    response = call(g13, "GET", dashboards("v1", name="abc"))
    assert response.status_code == 200
    conversion = response.json()["status"]["conversion"]
    assert conversion["failed"] is True and conversion["storedVersion"] == "v2"
    assert conversion["error"].startswith("conversion from v2 to v1 failed in ")


def test_12_0_has_no_cross_family_conversion(make: Make) -> None:
    """§6.7 (checklist 11, mode "12.0"): empty spec, failed, "not yet implemented"."""
    grafana = make(profile="12.0")
    create(grafana, version="v1beta1", the_spec=spec(schema=41))
    grafana.ui_save_v2("abc")
    answer = call(grafana, "GET", dashboards("v1beta1", name="abc")).json()
    assert answer["spec"] == {}
    assert answer["status"]["conversion"] == {
        "failed": True,
        "storedVersion": "v2alpha1",
        "error": "backend conversion not yet implemented",
    }


def test_legacy_and_kubernetes_apis_share_one_store(g13: GrafanaDouble) -> None:
    """§6.7: a legacy save is a v1 object; a k8s create is a legacy dashboard and a search
    hit; a legacy save over a v2 dashboard silently makes it v1 again."""
    legacy = call(
        g13,
        "POST",
        "/api/dashboards/db",
        json={"dashboard": {"uid": "leg", "title": "Legacy", "schemaVersion": 42}},
    )
    assert legacy.status_code == 200
    seen = call(g13, "GET", dashboards(name="leg")).json()
    assert seen["spec"]["title"] == "Legacy" and seen["metadata"]["generation"] == 1
    create(g13, "k8s", the_spec=spec("From apis", tags=["x"]))
    got = call(g13, "GET", "/api/dashboards/uid/k8s").json()
    assert got["dashboard"]["title"] == "From apis" and got["meta"]["version"] == 1
    hits = call(g13, "GET", "/api/search", params={"tag": "x"}).json()
    assert [h["uid"] for h in hits] == ["k8s"]
    g13.ui_save_v2("k8s")
    over = call(
        g13,
        "POST",
        "/api/dashboards/db",
        json={"dashboard": {"uid": "k8s", "title": "Mine", "schemaVersion": 42}, "overwrite": True},
    )
    assert over.status_code == 200
    assert call(g13, "GET", "/api/dashboards/uid/k8s").status_code == 200
    assert g13.k8s_object("k8s")["apiVersion"] == f"{DASH}/v1"  # type: ignore[index]


# -- §6.8 manager annotations --------------------------------------------------------------

KUBECTL = {"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "triton-dashboards"}


def test_manager_annotations_are_stored_and_kind_or_identity_changes_are_403(
    g13: GrafanaDouble,
) -> None:
    """§6.8 (checklist 13): stored as given; another kind or identity needs remove-then-add."""
    made = create(g13, annotations={**KUBECTL, "grafana.app/managerAllowsEdits": "true"})
    assert made["metadata"]["annotations"]["grafana.app/managedBy"] == "kubectl"
    terraform = {"grafana.app/managedBy": "terraform", "grafana.app/managerId": "tf"}
    response = call(g13, "PUT", dashboards(name="abc"), json=body("abc", annotations=terraform))
    assert response.status_code == 403
    answer = response.json()
    assert answer["reason"] == "Forbidden" and answer["message"].startswith(
        "Cannot change resource manager kind"
    )
    assert answer["details"]["causes"][0]["type"] == "ResourceManagerKindConflict"
    other_id = {**KUBECTL, "grafana.app/managerId": "gcx"}
    identity = call(g13, "PUT", dashboards(name="abc"), json=body("abc", annotations=other_id))
    assert identity.status_code == 403 and "identity" in identity.json()["message"]
    assert call(g13, "PUT", dashboards(name="abc"), json=body("abc")).status_code == 200  # remove
    assert (
        call(
            g13, "PUT", dashboards(name="abc"), json=body("abc", annotations=terraform)
        ).status_code
        == 200
    )


def test_repo_ownership_is_refused_to_non_provisioning_callers(g13: GrafanaDouble) -> None:
    """§6.8 (checklist 13): only the provisioning identity writes managedBy=repo."""
    response = call(
        g13,
        "POST",
        dashboards(),
        json=body(
            "abc", annotations={"grafana.app/managedBy": "repo", "grafana.app/managerId": "r"}
        ),
    )
    assert response.status_code == 403
    assert (
        response.json()["message"]
        == "Provisioned resources must be manaaged by the provisioning service account"
    )
    assert g13.dashboard_uids() == []


def test_ui_edits_of_a_managed_dashboard_follow_manager_allows_edits(g13: GrafanaDouble) -> None:
    """§6.8 UI effect: read-only in the UI unless managerAllowsEdits is "true"."""
    create(g13, "locked", annotations=KUBECTL)
    create(g13, "open", annotations={**KUBECTL, "grafana.app/managerAllowsEdits": "true"})
    with pytest.raises(PermissionError):
        g13.ui_save("locked", {"title": "UI"})
    with pytest.raises(PermissionError):
        g13.ui_save_v2("locked")
    assert g13.ui_save("open", {"title": "UI"}) == 2
    meta = g13.k8s_object("open")["metadata"]  # type: ignore[index]
    assert meta["annotations"]["grafana.app/updatedBy"] == "user:alice"
    assert meta["annotations"]["grafana.app/managedBy"] == "kubectl"  # a UI save keeps the manager


# -- §6.10 folders -------------------------------------------------------------------------


def folder_body(name: str, title: str, parent: str = "", rv: str | None = None) -> dict[str, Any]:
    parent_annotation = {"grafana.app/folder": parent} if parent else {}
    meta = metadata(name, parent_annotation, None, rv)
    return {
        "apiVersion": f"{FOLD}/v1",
        "kind": "Folder",
        "metadata": meta,
        "spec": {"title": title},
    }


def test_folders_nest_through_the_parent_annotation_and_move_by_put(g13: GrafanaDouble) -> None:
    """§6.10 (checklist 15): 201 create, parent annotation, 409 on a taken uid, PUT to move,
    a stale update is 409 Conflict, and the legacy API sees the same folders."""
    top = call(g13, "POST", folders(), json=folder_body("top", "Top"))
    assert top.status_code == 201 and top.json()["kind"] == "Folder"
    child = call(g13, "POST", folders(), json=folder_body("child", "Child", "top")).json()
    assert child["metadata"]["annotations"]["grafana.app/folder"] == "top"
    assert g13.folder("child")["parentUid"] == "top"  # type: ignore[index]
    again = call(g13, "POST", folders(), json=folder_body("top", "Again"))
    assert (again.status_code, again.json()["reason"]) == (409, "AlreadyExists")
    rv = child["metadata"]["resourceVersion"]
    moved = call(g13, "PUT", folders(name="child"), json=folder_body("child", "Child", rv=rv))
    assert (
        moved.status_code == 200
        and "grafana.app/folder" not in moved.json()["metadata"]["annotations"]
    )
    stale = call(g13, "PUT", folders(name="child"), json=folder_body("child", "Late", rv=rv))
    assert (stale.status_code, stale.json()["reason"]) == (409, "Conflict")
    missing_parent = call(g13, "POST", folders(), json=folder_body("x", "X", "nope"))
    assert (
        missing_parent.status_code == 404
        and missing_parent.json()["message"] == f'folders.{FOLD} "nope" not found'
    )
    loop = call(g13, "PUT", folders(name="top"), json=folder_body("top", "Top", "top"))
    assert loop.status_code == 400
    listing = call(g13, "GET", folders(), params={"limit": "1"}).json()
    assert (
        listing["kind"] == "FolderList"
        and len(listing["items"]) == 1
        and listing["metadata"]["continue"]
    )
    assert (
        call(g13, "GET", folders("v1beta1", name="top")).json()["apiVersion"] == f"{FOLD}/v1beta1"
    )


def test_deleting_a_folder_removes_its_dashboards_and_subfolders(g13: GrafanaDouble) -> None:
    """§6.10: DELETE removes the folder's content."""
    g13.add_folder("Top", "top")
    g13.add_folder("Sub", "sub", parent_uid="top")
    create(g13, "inside", annotations={"grafana.app/folder": "sub"})
    create(g13, "outside")
    response = call(g13, "DELETE", folders(name="top"))
    assert response.status_code == 200 and response.json()["status"] == "Success"
    assert g13.folders() == [] and g13.dashboard_uids() == ["outside"]
    assert call(g13, "GET", folders(name="top")).status_code == 404


# -- faults, sub-path, counting ------------------------------------------------------------


def test_injected_faults_apply_to_the_apis_routes(g13: GrafanaDouble) -> None:
    """The double's fault injection covers /apis: 5xx and drops change nothing; a lost answer
    applies the create, so the retry meets 409 AlreadyExists."""
    g13.fail_next(1, 503)
    assert call(g13, "POST", dashboards(), json=body("abc")).status_code == 503
    g13.drop_next()
    with pytest.raises(requests.ConnectionError):
        call(g13, "POST", dashboards(), json=body("abc"))
    assert g13.dashboard_uids() == []
    g13.lose_response_next()
    with pytest.raises(requests.ConnectionError):
        call(g13, "POST", dashboards(), json=body("abc"))
    assert g13.dashboard_uids() == ["abc"]
    assert call(g13, "POST", dashboards(), json=body("abc")).status_code == 409
    assert [r.fault for r in g13.requests] == ["fail", "drop", "lose-response", None]


def test_random_faults_follow_the_seed_on_apis_too(make: Make) -> None:
    """The seeded failure rate applies to /apis reads the same way on every run."""
    outcomes = []
    for _ in range(2):
        grafana = make(profile="13", seed=7)
        grafana.failure_rate = 0.5
        outcomes.append(
            [
                call(grafana, "GET", dashboards(), params={"n": str(i)}).status_code
                for i in range(12)
            ]
        )
    assert outcomes[0] == outcomes[1] and {200} < set(outcomes[0])


def test_apis_are_served_below_the_sub_path(make: Make) -> None:
    """The sub-path holds for /apis as for /api."""
    grafana = make(profile="13", sub_path="/grafana")
    assert call(grafana, "POST", dashboards(), json=body("abc")).status_code == 201
    root = grafana.url.removesuffix("/grafana")
    assert requests.get(root + dashboards(), timeout=TIMEOUT).status_code == 404
    assert grafana.requests[0].path == dashboards()


def test_route_counts_group_requests_by_route_and_method(g13: GrafanaDouble) -> None:
    """A benchmark reads requests per route: names, uids and namespaces are placeholders."""
    create(g13, "a")
    create(g13, "b")
    call(g13, "GET", dashboards(name="a"))
    call(g13, "GET", dashboards(), params={"limit": "1"})
    call(g13, "GET", "/api/dashboards/uid/a")
    counts = g13.route_counts()
    base = f"/apis/{DASH}/v1/namespaces/{{ns}}/dashboards"
    assert counts == {
        f"POST {base}": 2,
        f"GET {base}/{{name}}": 1,
        f"GET {base}": 1,
        "GET /api/dashboards/uid/{uid}": 1,
    }
    assert g13.count("GET", "/apis/") == 2
    assert json.loads(json.dumps(counts))  # plain data, for a benchmark's report


def test_13_legacy_save_of_identical_json_keeps_the_version(g13: GrafanaDouble) -> None:
    """§6.1/§6.3: on 13 the deprecated legacy API still works, through unified storage, so an
    identical save does not move the version; a change does."""
    model = {"uid": "leg", "title": "Legacy", "schemaVersion": 42}
    first = call(g13, "POST", "/api/dashboards/db", json={"dashboard": model}).json()
    again = call(g13, "POST", "/api/dashboards/db", json={"dashboard": {**model, "version": 1}})
    assert (first["version"], again.json()["version"]) == (1, 1)
    changed = {**model, "title": "Changed", "version": 1}
    assert (
        call(g13, "POST", "/api/dashboards/db", json={"dashboard": changed}).json()["version"] == 2
    )


def test_a_folders_access_says_what_the_caller_may_do_there(make: Make) -> None:
    """§6.10: ``folders/<uid>/access`` (``FolderAccessInfo``), listed in discovery."""
    editor, viewer = make(profile="13"), make(profile="13", token_role="Viewer")
    base = f"/apis/{FOLD}/v1/namespaces/default/folders"
    listed = call(editor, "GET", f"/apis/{FOLD}/v1").json()
    assert "folders/access" in [r["name"] for r in listed["resources"]]
    for double, can in ((editor, True), (viewer, False)):
        double.add_folder("Triton", uid="triton")
        answer = call(double, "GET", f"{base}/triton/access")
        assert answer.status_code == 200
        body = answer.json()
        assert body["kind"] == "FolderAccessInfo" and body["canSave"] is can
    missing = call(editor, "GET", f"{base}/nope/access")
    assert missing.status_code == 404 and missing.json()["details"]["kind"] == "folders"


def test_a_write_over_the_body_limit_is_413_request_entity_too_large(g13: GrafanaDouble) -> None:
    """§1 Limits: the apiserver reads at most MaxRequestBodyBytes, then says so as a Status."""
    g13.max_body_bytes = 200
    body = {"metadata": {"name": "big"}, "spec": {"title": "x" * 300, "schemaVersion": 42}}
    answer = call(g13, "POST", dashboards(), json=body)
    assert answer.status_code == 413
    said = answer.json()
    assert said["kind"] == "Status" and said["reason"] == "RequestEntityTooLarge"
    assert "limit is 200" in said["message"]
