"""Dashboard JSON as Grafana-sidecar ConfigMaps: label, folder, name, size, exact bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from _support import ROOT
from click.testing import CliRunner

from triton_dashboards.cli import main
from triton_dashboards.defaults import FOLDER
from triton_dashboards.prometheus.configmap import (
    MAX_CONFIGMAP_BYTES,
    ConfigMapError,
    configmap,
    configmap_name,
    configmaps_yaml,
)
from triton_dashboards.prometheus.k8snames import is_dns1123_subdomain

COMMITTED = sorted((ROOT / "dashboards").glob("*.json"))


def write(path: Path, dashboard: dict[str, Any] | str) -> Path:
    text = dashboard if isinstance(dashboard, str) else json.dumps(dashboard, indent=2) + "\n"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def docs(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def test_every_committed_dashboard_becomes_a_labelled_configmap_with_its_exact_bytes() -> None:
    assert COMMITTED, "no committed dashboards to ship"
    maps = docs(configmaps_yaml(COMMITTED, namespace="monitoring", folder="Triton"))
    assert len(maps) == len(COMMITTED)
    for path, item in zip(COMMITTED, maps, strict=True):
        assert item["apiVersion"] == "v1" and item["kind"] == "ConfigMap"
        meta = item["metadata"]
        assert meta["labels"]["grafana_dashboard"] == "1"
        assert meta["annotations"] == {"grafana_folder": "Triton"}
        assert meta["namespace"] == "monitoring"
        uid = json.loads(path.read_bytes())["uid"]
        assert meta["name"] == configmap_name(uid) and uid in meta["name"]
        ((key, value),) = item["data"].items()
        assert value.encode("utf-8") == path.read_bytes()
        assert key.endswith(".json")


#: Text a literal block holds: YAML-looking lines, Helm-looking braces, µ.
PLAIN = (
    '{\n  "uid": "Awk_ward-V2",\n  "title": "µs latency",\n'
    '  "legend": "{{model}} {{ version }}",\n    "x": "# not a comment",\n'
    '  "y": "- not a list: no"\n}'
)
#: Text it cannot (trailing spaces, a tab, Unicode line breaks, BOM, DEL): PyYAML quotes it.
QUOTED = (
    PLAIN.replace('latency",', 'latency",  ')
    .replace("# not", "a\u2028b\u0085c\ufeff\x7f")
    .replace('  "y"', '\t"y"')
)
CASES = {
    "literal": PLAIN + "\n",
    "literal-no-final-newline": PLAIN,
    "literal-two-newlines": PLAIN + "\n\n",
    "quoted": QUOTED + "\n",
    "crlf": PLAIN.replace("\n", "\r\n") + "\r\n",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_data_round_trips_to_the_exact_file_bytes(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "awkward.json", text)
    (item,) = docs(configmaps_yaml([path]))
    (value,) = item["data"].values()
    assert value.encode("utf-8") == path.read_bytes()


def test_names_are_valid_object_names_derived_from_the_uid(tmp_path: Path) -> None:
    for uid in ("triton-overview", "Awk_ward.V2", "-x-", "a..b", "ÜBER_dash", "x" * 40):
        name = configmap_name(uid)
        assert is_dns1123_subdomain(name), (uid, name)
        assert name.startswith("grafana-dashboard-")
    assert configmap_name("triton-overview") == "grafana-dashboard-triton-overview"
    with pytest.raises(ConfigMapError, match="uid"):
        configmap_name("___")


def test_two_uids_that_map_to_one_name_are_refused(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", {"uid": "ner_overview"})
    b = write(tmp_path / "b.json", {"uid": "NER-overview"})
    with pytest.raises(ConfigMapError, match=r"a\.json and .*b\.json both become ConfigMap"):
        configmaps_yaml([a, b])


def test_size_limit(tmp_path: Path) -> None:
    def sized(name: str, size: int) -> Path:
        head = '{"uid": "big", "pad": "'
        return write(tmp_path / name, head + "x" * (size - len(head) - 2) + '"}')

    key_bytes = len("big.json")
    fits = sized("fits.json", MAX_CONFIGMAP_BYTES - key_bytes)
    assert len(configmap(fits)["data"]["big.json"]) == MAX_CONFIGMAP_BYTES - key_bytes
    too_big = sized("big.json", MAX_CONFIGMAP_BYTES - key_bytes + 1)
    with pytest.raises(ConfigMapError, match="over the 1 MiB a ConfigMap can hold"):
        configmaps_yaml([too_big])


def test_folder_annotation_is_left_out_for_general(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", {"uid": "a"})
    (item,) = docs(configmaps_yaml([path], folder=""))
    assert "annotations" not in item["metadata"]
    (named,) = docs(configmaps_yaml([path], folder="Team NER"))
    assert named["metadata"]["annotations"] == {"grafana_folder": "Team NER"}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ({"title": "no uid"}, "has no uid"),
        ("{not json", "a.json:1:2: not JSON"),
        ("[1, 2]", "no dashboard object"),
    ],
)
def test_bad_dashboard_files(tmp_path: Path, content: Any, needle: str) -> None:
    path = write(tmp_path / "a.json", content)
    with pytest.raises(ConfigMapError, match=needle):
        configmaps_yaml([path])


@pytest.mark.parametrize(
    ("uid", "needle"),
    [("x" * 41, "41 characters; Grafana allows at most 40"), ("Bad_UID.x", "characters Grafana")],
)
def test_cli_refuses_a_uid_publish_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uid: str, needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.json", {"uid": uid})
    result = cli("configmap", "a.json")
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: a.json: dashboard uid"), result.stderr
    assert needle in lines[0]


def test_default_folder_is_the_one_publish_uses(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", {"uid": "a"})
    (item,) = docs(configmaps_yaml([path]))
    assert item["metadata"]["annotations"] == {"grafana_folder": FOLDER}
    result = cli("configmap", str(path))
    assert result.exit_code == 0, result.output
    (from_cli,) = docs(result.stdout)
    assert from_cli["metadata"]["annotations"] == {"grafana_folder": FOLDER}


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_cli_defaults_to_every_json_in_dir(tmp_path: Path) -> None:
    for uid in ("b", "a"):
        write(tmp_path / f"{uid}.json", {"uid": uid})
    result = cli("configmap", "--dir", str(tmp_path), "--namespace", "grafana")
    assert result.exit_code == 0, result.output
    maps = docs(result.stdout)
    assert [m["metadata"]["name"] for m in maps] == ["grafana-dashboard-a", "grafana-dashboard-b"]
    assert {m["metadata"]["namespace"] for m in maps} == {"grafana"}
    assert result.stdout.startswith("# ") and "kubectl apply" in result.stdout.split("---")[0]
    out = tmp_path / "cm.yaml"
    written = cli("configmap", "--dir", str(tmp_path), "--namespace", "grafana", "-o", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == result.stdout


def test_cli_on_committed_dashboards(tmp_path: Path) -> None:
    result = cli("configmap", *map(str, COMMITTED))
    assert result.exit_code == 0, result.output
    assert result.stdout == configmaps_yaml(COMMITTED)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--namespace", "Monitoring"], "lower-case letters"),
        (["missing.json"], "no file missing.json"),
        (["--dir", "empty"], "no dashboard JSON in"),
        (["bad.json"], "bad.json:1:1: not JSON"),
    ],
)
def test_cli_errors_are_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "dashboards").mkdir()
    write(tmp_path / "dashboards" / "a.json", {"uid": "a"})
    write(tmp_path / "bad.json", "nope")
    result = cli("configmap", *args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert needle in lines[0]
