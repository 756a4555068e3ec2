"""Recording and alerting rules, run by the real promtool on inputs generated here.

Every rules file the code can write goes through ``promtool check rules``; every alert has
``promtool test rules`` cases that fire and that stay quiet, built in Python from the same
configuration the rules come from (thresholds, ``for`` durations, severities), so the test
inputs cannot drift from the rules. The inputs carry Triton's label traps (docs/metrics.md):
failures split by ``reason``, an ensemble without ``gpu_uuid`` next to a model with it, and counters
that restart at 0 when a model is reloaded (with ``gpu_uuid`` appearing on the new series).
The recorded series are checked against the raw recipes on the same input.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from _support import ROOT, TESTDATA, require_tool

from triton_dashboards import catalog
from triton_dashboards.dashboard import stock as dashboards
from triton_dashboards.dashboard.lint import expressions
from triton_dashboards.dashboard.render import render as render_dashboard
from triton_dashboards.prometheus import rules as rules_pkg
from triton_dashboards.prometheus.monitors import API_VERSION
from triton_dashboards.prometheus.rules import (
    ALERTS,
    DEFAULT_SCOPE,
    Alert,
    RulesConfig,
    RulesError,
    alert_rules,
    groups,
    render,
    runbook,
)
from triton_dashboards.promql import Matcher, Selector
from triton_dashboards.query import recipes as q
from triton_dashboards.query.recipes import Phase
from triton_dashboards.query.recording import TABLE, Operation, Recording
from triton_dashboards.query.scope import Scope

#: A team that publishes the runbook and passes its address, so every alert links to it.
CONFIG = RulesConfig(runbook_url="https://runbooks.example.com/triton.md")
STEP = 15  # seconds between input samples, and between rule evaluations

# -- the input world ----------------------------------------------------------------------

POD0 = {
    "namespace": "triton",
    "job": "triton",
    "service": "triton-svc",
    "pod": "triton-0",
    "instance": "10.0.0.1:8002",
}
POD1 = {**POD0, "pod": "triton-1", "instance": "10.0.0.2:8002"}
#: A target off Kubernetes: no pod, the descriptions name the instance instead.
STATIC = {"job": "triton", "instance": "gpu-box:8002"}
REASONS = ("REJECTED", "CANCELED", "BACKEND", "OTHER")


def steps(minutes: float) -> int:
    return round(minutes * 60 / STEP)


def counter(per_second: float, minutes: float, start: float = 0.0) -> list[float]:
    """A counter growing at ``per_second`` for ``minutes``, one sample per STEP."""
    return [start + per_second * STEP * i for i in range(steps(minutes) + 1)]


def flat(value: float, minutes: float) -> list[float]:
    return [value] * (steps(minutes) + 1)


def fmt(value: float) -> str:
    return f"{value:.10g}"


def series(name: str, labels: Mapping[str, str], values: Sequence[float | None]) -> dict[str, str]:
    """A promtool input series; ``None`` is a missing sample (the series is absent then)."""
    text = ", ".join(f'{k}="{v}"' for k, v in labels.items())
    return {
        "series": f"{name}{{{text}}}",
        "values": " ".join("_" if v is None else fmt(v) for v in values),
    }


FIRST_RESPONSE_BUCKET = catalog.FIRST_RESPONSE_HISTOGRAM.name + "_bucket"
#: Share of requests whose first response came within ``le`` ms.
FIRST_RESPONSE_SHARES = (("10", 0.3), ("100", 0.8), ("+Inf", 1.0))


def model(
    target: Mapping[str, str],
    name: str,
    *,
    success: float,
    minutes: float,
    failures: Mapping[str, float] | None = None,
    gpus: Sequence[str | None] = (None,),
    queue: float = 0.0,
    request: float = 0.001,
    compute: tuple[float, float, float] = (0.0001, 0.0005, 0.0001),
    batch: float = 1.0,
) -> list[dict[str, str]]:
    """The per-model counters of one Triton model, as ``success`` requests per second.

    ``queue``, ``request`` and ``compute`` are seconds per successful request, ``batch``
    inferences per execution; the traffic is split evenly over ``gpus`` (``None`` is a
    series without ``gpu_uuid``, as ensembles and startup-loaded models report).
    Failures (per second, by reason) never carry ``gpu_uuid``.
    """
    base = {**target, "model": name, "version": "1"}
    share = success / len(gpus)
    out = []
    for gpu in gpus:
        labels = dict(base) if gpu is None else {**base, "gpu_uuid": gpu}
        per_second = {
            catalog.REQUEST_SUCCESS: share,
            catalog.INFERENCE_COUNT: share,
            catalog.EXEC_COUNT: share / batch,
            catalog.REQUEST_DURATION: share * request * 1e6,
            catalog.QUEUE_DURATION: share * queue * 1e6,
            catalog.COMPUTE_INPUT_DURATION: share * compute[0] * 1e6,
            catalog.COMPUTE_INFER_DURATION: share * compute[1] * 1e6,
            catalog.COMPUTE_OUTPUT_DURATION: share * compute[2] * 1e6,
        }
        out += [series(m.name, labels, counter(rate, minutes)) for m, rate in per_second.items()]
        out += [
            series(FIRST_RESPONSE_BUCKET, {**labels, "le": le}, counter(share * below, minutes))
            for le, below in FIRST_RESPONSE_SHARES
        ]
    for reason in REASONS:
        rate = (failures or {}).get(reason, 0.0)
        labels = {**base, "reason": reason}
        out.append(series(catalog.REQUEST_FAILURE.name, labels, counter(rate, minutes)))
    return out


# -- promtool -------------------------------------------------------------------------------


def run_promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def promtool_test(
    tmp_path: Path,
    tests: Iterable[dict[str, Any]],
    config: RulesConfig = CONFIG,
) -> None:
    """Write the rules of ``config`` and ``tests`` next to them, and run promtool on both."""
    (tmp_path / "rules.yml").write_text(render(config), encoding="utf-8")
    spec = {"rule_files": ["rules.yml"], "evaluation_interval": f"{STEP}s", "tests": list(tests)}
    (tmp_path / "test.yml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    done = run_promtool("test", "rules", "test.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def case(
    inputs: list[dict[str, str]],
    alerts: Iterable[dict[str, Any]] = (),
    exprs: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "interval": f"{STEP}s",
        "input_series": inputs,
        "alert_rule_test": list(alerts),
        "promql_expr_test": list(exprs),
    }


def check(name: str, minute: float, *firing: dict[str, Any]) -> dict[str, Any]:
    return {"eval_time": f"{round(minute * 60)}s", "alertname": name, "exp_alerts": list(firing)}


def settings(name: str, config: RulesConfig = CONFIG) -> Any:
    alert = next(a for a in ALERTS if a.name == name)
    return getattr(config, alert.key)


def minutes(duration: str) -> float:
    value, unit = float(duration[:-1]), duration[-1]
    return value * {"s": 1 / 60, "m": 1, "h": 60}[unit]


def fired(
    name: str,
    labels: Mapping[str, str],
    summary: str,
    description: str,
    config: RulesConfig = CONFIG,
) -> dict[str, Any]:
    annotations = {"summary": summary, "description": description}
    if config.runbook_url:
        annotations["runbook_url"] = f"{config.runbook_url}#{name.lower()}"
    return {
        "exp_labels": {**labels, "severity": settings(name, config).severity},
        "exp_annotations": annotations,
    }


def place(labels: Mapping[str, str]) -> str:
    if "pod" in labels:
        return f"pod {labels['namespace']}/{labels['pod']}"
    return f"instance {labels['instance']}"


def where(labels: Mapping[str, str]) -> str:
    return f"model {labels['model']} version {labels['version']} on {place(labels)}"


def percent(value: float) -> str:
    """Prometheus' ``humanizePercentage`` for values from 1 % up."""
    return f"{value * 100:.4g}%"


def keyed(target: Mapping[str, str], name: str, **extra: str) -> dict[str, str]:
    return {**target, "model": name, "version": "1", **extra}


# -- every output passes promtool check rules ---------------------------------------------


OUTPUTS = {
    "default": CONFIG,
    "every alert on": CONFIG.tune("traffic_stopped", enabled=True),
    "short window": RulesConfig(recording=Recording(window="5s", interval="1s")),
    "narrow scope": RulesConfig(
        scope=Scope(namespace="prod", job="triton").models("ner", 'we"ird'),
        labels={"team": "ml"},
    ),
}


@pytest.mark.parametrize("key", list(OUTPUTS))
def test_promtool_check_rules_accepts_every_rules_file(key: str, tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(render(OUTPUTS[key]), encoding="utf-8")
    done = run_promtool("check", "rules", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    count = sum(len(g["rules"]) for g in groups(OUTPUTS[key]))
    assert f"SUCCESS: {count} rules found" in done.stdout


@pytest.mark.parametrize("key", list(OUTPUTS))
def test_promtool_check_rules_accepts_every_prometheusrule_spec(key: str, tmp_path: Path) -> None:
    manifest = yaml.safe_load(render(OUTPUTS[key], "prometheusrule"))
    path = tmp_path / "spec.yml"
    path.write_text(yaml.safe_dump(manifest["spec"]), encoding="utf-8")
    done = run_promtool("check", "rules", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_check_rules_rejects_a_broken_file(tmp_path: Path) -> None:
    """The check above can fail: a rule with a bad expression is reported."""
    broken = yaml.safe_load(render(CONFIG))
    broken["groups"][1]["rules"][0]["expr"] = "up{job=~"
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert run_promtool("check", "rules", str(path), cwd=tmp_path).returncode != 0


# -- the PrometheusRule manifest --------------------------------------------------------------


def crd_validator() -> jsonschema.Draft7Validator:
    """The CRD's OpenAPI v3 schema as a JSON Schema validator.

    Not checked as a schema: its Go regexes (``^(?i)(abort|warn)?$``) are not Python's,
    and only fields the rules never write use them.
    """
    crd = yaml.safe_load(
        (TESTDATA / "prometheus-operator/crds/crd-prometheusrules.yaml").read_text(encoding="utf-8")
    )
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1")
    return jsonschema.Draft7Validator(version["schema"]["openAPIV3Schema"])


def test_prometheusrule_validates_against_the_crd_and_carries_the_release_label() -> None:
    text = render(CONFIG, "prometheusrule", namespace="observability", release="kps")
    manifest = yaml.safe_load(text)
    crd_validator().validate(manifest)
    assert manifest["apiVersion"] == "monitoring.coreos.com/v1"
    assert manifest["kind"] == "PrometheusRule"
    assert manifest["metadata"]["labels"]["app.kubernetes.io/part-of"] == "triton-dashboards"
    assert manifest["metadata"]["namespace"] == "observability"
    assert manifest["metadata"]["labels"]["release"] == "kps"
    assert manifest["spec"] == {"groups": groups(CONFIG)}


def test_crd_validation_catches_a_malformed_rule() -> None:
    manifest = yaml.safe_load(render(CONFIG, "prometheusrule"))
    bad = copy.deepcopy(manifest)
    del bad["spec"]["groups"][0]["rules"][0]["expr"]
    with pytest.raises(jsonschema.ValidationError):
        crd_validator().validate(bad)


@pytest.mark.parametrize(
    ("changes", "word"),
    [({"namespace": "Bad_NS"}, "namespace"), ({"release": "a b"}, "release")],
)
def test_prometheusrule_rejects_bad_kubernetes_names(changes: dict[str, str], word: str) -> None:
    with pytest.raises(RulesError, match=word):
        render(CONFIG, "prometheusrule", **changes)


# -- one table: recorded names, rules and recipes agree -------------------------------------


RECORDED_NAME = re.compile(r"\b([a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*)\{")


def recorded_names(text: str) -> set[str]:
    return {
        r["record"] for g in yaml.safe_load(text)["groups"] for r in g["rules"] if "record" in r
    }


def test_rules_record_every_row_of_the_table_once() -> None:
    names = [r["record"] for r in groups(CONFIG)[0]["rules"]]
    assert names == [record.name(CONFIG.recording.window) for record in TABLE]
    assert len(set(names)) == len(names)


def test_record_names_follow_level_metric_operations() -> None:
    for name in recorded_names(render(CONFIG)):
        level, metric, operations = name.split(":")
        assert level.startswith(("instance_", "namespace_job_model_version")), name
        # vLLM's vllm:x is vllm_x: the colons separate level, metric and operations
        assert metric.startswith(("nv_", "vllm_")) and ":" not in metric, name
        assert operations in {"rate5m", "mean5m", "ratio_rate5m", "avg5m", "ratio"}, name


def test_fleet_records_sum_the_per_target_ones_keeping_the_cluster() -> None:
    """Pods and instances summed away; cluster, namespace and job kept for the filters."""
    records = {r["record"]: r["expr"] for r in groups(CONFIG)[0]["rules"]}
    success = "namespace_job_model_version:nv_inference_request_success:rate5m"
    assert records[success] == (
        "sum by (cluster, namespace, job, model, version) "
        "(instance_model_version:nv_inference_request_success:rate5m)"
    )
    no_cluster = RulesConfig(recording=Recording(cluster=None))
    expr = {r["record"]: r["expr"] for r in groups(no_cluster)[0]["rules"]}[success]
    assert expr.startswith("sum by (namespace, job, model, version) (")
    renamed = RulesConfig(recording=Recording(cluster="k8s_cluster"))
    assert "sum by (k8s_cluster, namespace" in render(renamed)


def test_recipes_read_the_cheapest_level_with_the_labels_the_scope_needs() -> None:
    rec = Recording()
    fleet = Scope(namespace="triton", job="triton").recorded(rec)
    assert "namespace_job_model_version:" in str(q.request_rate(fleet))
    assert "namespace_job_model_version:" in str(q.request_rate(fleet.per_cluster()))
    # an instance (or pod) matcher or grouping needs the per-target level
    assert "instance_model_version:" in str(q.request_rate(fleet.also(instance="a:8002")))
    assert "instance_model_version:" in str(q.request_rate(fleet.by("pod", "model")))
    # a cluster label other than the one the fleet records keep
    assert "instance_model_version:" in str(q.request_rate(fleet.per_cluster("region")))
    assert "namespace_job_model_version_le:" in str(q.first_response_quantile(fleet, 0.5))


@pytest.mark.parametrize(
    "build", [dashboards.overview, dashboards.model_detail, dashboards.gpu_and_host]
)
def test_recorded_dashboards_read_only_series_the_rules_record(build: Any) -> None:
    recording = Recording(window="5s", interval="1s")
    board = json.loads(render_dashboard(build(recording_rules=recording)))
    used = {name for _, expr in expressions(board) for name in RECORDED_NAME.findall(expr)}
    assert used, "a recorded dashboard reads no recorded series"
    assert used <= recorded_names(render(RulesConfig(recording=recording)))
    assert all(name.endswith(("5s", ":ratio")) for name in used)
    assert board["uid"].endswith("-rec") and board["title"].endswith("(recording rules)")


def test_recording_rules_true_is_the_default_recording() -> None:
    assert render_dashboard(dashboards.overview(recording_rules=True)) == render_dashboard(
        dashboards.overview(recording_rules=Recording())
    )
    assert json.loads(render_dashboard(dashboards.overview()))["uid"] == dashboards.OVERVIEW_UID


def test_recorded_scope_keeps_raw_series_where_no_record_fits() -> None:
    recorded = DEFAULT_SCOPE.recorded(Recording())
    assert "rate5m" in str(q.request_rate(recorded))
    assert "rate5m" in str(q.request_rate(recorded, "5m"))
    # another window, a grouping by the label the records dropped, or no record at all
    assert str(q.request_rate(recorded, "1m")) == str(q.request_rate(DEFAULT_SCOPE, "1m"))
    by_gpu = recorded.by("model", "gpu_uuid")
    assert str(q.request_rate(by_gpu)) == str(q.request_rate(DEFAULT_SCOPE.by("model", "gpu_uuid")))
    assert str(q.cache_hit_ratio(recorded)) == str(q.cache_hit_ratio(DEFAULT_SCOPE))
    assert str(q.pending_requests(recorded)) == str(q.pending_requests(DEFAULT_SCOPE))


def test_recording_window_is_checked() -> None:
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        Recording(window="5x")


# -- recorded series equal the raw recipes on the same input ---------------------------------

#: Two pods; pod 0 runs ``ner`` on two GPUs (series with gpu_uuid) and the ensemble
#: ``ner_pipeline`` (no gpu_uuid); pod 1 runs ``ner`` loaded at startup (no gpu_uuid)
#: that is reloaded at minute 5: the old series stops, a new one with gpu_uuid starts at 0.
RELOAD_AT = 5


def is_failure(entry: Mapping[str, str]) -> bool:
    return entry["series"].startswith(catalog.REQUEST_FAILURE.name + "{")


def reloaded_ner(total: float) -> list[dict[str, str]]:
    """ner on pod 1 at 4 req/s and 1 % BACKEND failures, reloaded at RELOAD_AT.

    Loaded at startup it has no gpu_uuid; the reload removes those series and creates
    new ones with gpu_uuid at 0. The failure series (never on a GPU) keep their labels
    and restart at 0: a counter reset.
    """
    after = total - RELOAD_AT
    old = model(POD1, "ner", success=4, minutes=RELOAD_AT)
    new = model(POD1, "ner", success=4, minutes=after, gpus=("GPU-c",))
    gap = "_ " * (steps(RELOAD_AT) + 1)
    out = [e for e in old if not is_failure(e)]
    out += [{**e, "values": gap + e["values"]} for e in new if not is_failure(e)]
    for reason in REASONS:
        rate = 0.04 if reason == "BACKEND" else 0.0
        labels = keyed(POD1, "ner", reason=reason)
        values = counter(rate, RELOAD_AT) + counter(rate, after)
        out.append(series(catalog.REQUEST_FAILURE.name, labels, values))
    return out


def world(minutes_total: float) -> list[dict[str, str]]:
    gpus = []
    for target in (POD0, POD1):
        for gpu, used in (("GPU-a", 0.5), ("GPU-c", 0.25)):
            labels = {**target, "gpu_uuid": gpu}
            gpus += [
                series("nv_gpu_utilization", labels, counter(0.01 / 60, minutes_total, 0.3)),
                series("nv_gpu_memory_used_bytes", labels, flat(used * 16e9, minutes_total)),
                series("nv_gpu_memory_total_bytes", labels, flat(16e9, minutes_total)),
            ]
    return [
        *model(
            POD0,
            "ner",
            success=10,
            minutes=minutes_total,
            failures={"BACKEND": 0.5, "REJECTED": 0.2},
            gpus=("GPU-a", "GPU-b"),
            queue=0.002,
            request=0.006,
            batch=4,
        ),
        *model(
            POD0,
            "ner_pipeline",
            success=5,
            minutes=minutes_total,
            failures={"OTHER": 0.1},
            queue=0.00001,
            request=0.01,
        ),
        *reloaded_ner(minutes_total),
        *gpus,
    ]


#: During the reload of ner on pod 1, and well after it.
EVAL_TIMES = (f"{RELOAD_AT * 60 + 2 * STEP}s", "9m")


def same(recorded: Any, raw: Any, labels: Iterable[Mapping[str, str]]) -> dict[str, Any]:
    """A promtool check that two expressions agree to 1e-9 on exactly the ``labels`` sets."""
    return {
        "expr": f"abs(({recorded}) - ({raw})) / (abs({raw}) + 1) < bool 1e-9",
        "eval_time": EVAL_TIMES[-1],
        "exp_samples": [
            {"labels": "{" + ", ".join(f'{k}="{v}"' for k, v in lab.items()) + "}", "value": 1}
            for lab in labels
        ],
    }


MODELS = [{"model": m, "version": "1"} for m in ("ner", "ner_pipeline")]
REASON_SETS = [{**m, "reason": r} for m in MODELS for r in REASONS]
GPUS = [{"gpu_uuid": g} for g in ("GPU-a", "GPU-c")]


def equivalence_checks() -> list[dict[str, Any]]:
    window = CONFIG.recording.window
    raw = DEFAULT_SCOPE
    rec = raw.recorded(CONFIG.recording)
    checks = [
        same(q.request_rate(rec), q.request_rate(raw, window), MODELS),
        same(q.failure_rate(rec), q.failure_rate(raw, window), MODELS),
        same(q.failures_by_reason(rec), q.failures_by_reason(raw, window), REASON_SETS),
        same(q.inference_rate(rec), q.inference_rate(raw, window), MODELS),
        same(q.execution_rate(rec), q.execution_rate(raw, window), MODELS),
        same(q.failure_ratio(rec), q.failure_ratio(raw, window), MODELS),
        same(q.avg_batch_size(rec), q.avg_batch_size(raw, window), MODELS),
        same(q.avg_requests_in_queue(rec), q.avg_requests_in_queue(raw, window), MODELS),
        same(q.request_rate(rec.by()), q.request_rate(raw.by(), window), [{}]),
        same(q.instances_up(rec), q.instances_up(raw, window), [{}]),
        same(q.gpu_utilization(rec), q.gpu_utilization(raw, window), GPUS),
        same(q.gpu_memory_used_ratio(rec), q.gpu_memory_used_ratio(raw), GPUS),
        same(
            q.first_response_quantile(rec, 0.5),
            q.first_response_quantile(raw, 0.5, window),
            MODELS,
        ),
    ]
    checks += [
        same(q.avg_latency(rec, phase), q.avg_latency(raw, phase, window), MODELS)
        for phase in Phase
    ]
    # the per-target level (per-pod views), and a scope keeping the (here absent) cluster
    pods = [{"pod": "triton-0", **m} for m in MODELS] + [{"pod": "triton-1", **MODELS[0]}]
    per_pod = ("pod", "model", "version")
    checks += [
        same(q.request_rate(rec.by(*per_pod)), q.request_rate(raw.by(*per_pod), window), pods),
        same(
            q.avg_latency(rec.by(*per_pod), Phase.REQUEST),
            q.avg_latency(raw.by(*per_pod), Phase.REQUEST, window),
            pods,
        ),
    ]
    by_cluster = rec.per_cluster(CONFIG.recording.cluster)
    checks.append(same(q.failure_ratio(by_cluster), q.failure_ratio(raw.per_cluster(), window),
                       MODELS))  # fmt: skip
    # the per-target means and batch size against the recipes grouped per target
    per_target = raw.by(*POD0, "model", "version")
    targets = [keyed(POD0, "ner"), keyed(POD0, "ner_pipeline"), keyed(POD1, "ner")]
    for phase in Phase:
        name = CONFIG.recording.name(phase.duration, Operation.MEAN)
        checks.append(same(name, q.avg_latency(per_target, phase, window), targets))
    name = CONFIG.recording.name(catalog.INFERENCE_COUNT, Operation.RATIO_RATE)
    checks.append(same(name, q.avg_batch_size(per_target, window), targets))
    return checks


def test_recorded_series_equal_the_raw_recipes(tmp_path: Path) -> None:
    checks = [{**check, "eval_time": at} for check in equivalence_checks() for at in EVAL_TIMES]
    promtool_test(tmp_path, [case(world(10), exprs=checks)])


def test_recorded_values_are_the_input_rates_without_double_counting(tmp_path: Path) -> None:
    """ner on pod 0 is split over two GPUs, the ensemble has no gpu_uuid: each counts once."""
    success = CONFIG.recording.name(catalog.REQUEST_SUCCESS)
    failure = CONFIG.recording.name(catalog.REQUEST_FAILURE)
    batch = CONFIG.recording.name(catalog.INFERENCE_COUNT, Operation.RATIO_RATE)
    exprs = [
        {
            "expr": f'round({success}{{pod="triton-0"}}, 0.001)',
            "eval_time": "9m",
            "exp_samples": [
                {"labels": label_text("", keyed(POD0, "ner")), "value": 10},
                {"labels": label_text("", keyed(POD0, "ner_pipeline")), "value": 5},
            ],
        },
        {
            "expr": f'round({failure}{{model="ner_pipeline"}}, 0.001) > 0',
            "eval_time": "9m",
            "exp_samples": [
                {
                    "labels": label_text("", keyed(POD0, "ner_pipeline", reason="OTHER")),
                    "value": 0.1,
                },
            ],
        },
        {
            "expr": f'round({batch}{{pod="triton-0", model="ner"}}, 0.001)',
            "eval_time": "9m",
            "exp_samples": [{"labels": label_text("", keyed(POD0, "ner")), "value": 4}],
        },
    ]
    promtool_test(tmp_path, [case(world(10), exprs=exprs)])


def label_text(name: str, labels: Mapping[str, str]) -> str:
    return name + "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def test_counter_reset_on_reload_gives_no_negative_rate(tmp_path: Path) -> None:
    """Around the reload of ner on pod 1 every recorded rate stays >= 0, and stays there."""
    names = [r.name(CONFIG.recording.window) for r in TABLE if r.operation is Operation.RATE]
    checks = [
        {"expr": f"{name} < 0", "eval_time": f"{round(minute * 60)}s", "exp_samples": []}
        for name in names
        for minute in (RELOAD_AT, RELOAD_AT + 0.25, RELOAD_AT + 0.5, RELOAD_AT + 1)
    ]
    success = CONFIG.recording.name(catalog.REQUEST_SUCCESS)
    checks.append(
        {
            "expr": f'round({success}{{pod="triton-1"}}, 0.001)',
            # a window after the reload: only the new series' samples in it
            "eval_time": f"{(RELOAD_AT + minutes(CONFIG.recording.window) + 1) * 60:g}s",
            "exp_samples": [{"labels": label_text("", keyed(POD1, "ner")), "value": 4}],
        }
    )
    promtool_test(tmp_path, [case(world(RELOAD_AT + 10), exprs=checks)])


# -- every alert, firing and quiet ------------------------------------------------------------


def test_target_down(tmp_path: Path) -> None:
    name = "TritonTargetDown"
    wait = minutes(settings(name).for_)
    up = [1.0] * steps(2) + [0.0] * steps(wait + 10)
    other = {"job": "node-exporter", "instance": "10.0.0.9:9100"}
    inputs = [
        series("up", POD0, up),
        series("up", POD1, flat(1, wait + 12)),
        series("up", STATIC, up),
        series("up", other, up),  # not a Triton target: never alerts here
    ]
    description = (
        "The scrape of job triton on {} has failed for {}: every Triton number of that "
        "server is missing from the dashboards and alerts."
    )
    alerts = [
        fired(name, target, f"Prometheus cannot scrape Triton metrics from {target['instance']}",
              description.format(place(target), settings(name).for_))
        for target in (POD0, STATIC)
    ]  # fmt: skip
    promtool_test(
        tmp_path,
        [
            case(
                inputs,
                [
                    check(name, 1),
                    check(name, 2 + wait / 2),  # down, but not for long enough
                    check(name, 2 + wait + 2, *alerts),
                ],
            )
        ],
    )


def test_metrics_absent(tmp_path: Path) -> None:
    name = "TritonMetricsAbsent"
    wait = minutes(settings(name).for_)
    span = wait + 5
    alert = fired(name, {}, "No Triton server reports metrics", absent_description(""))
    nothing = [series("up", {"job": "node-exporter", "instance": "n:9100"}, flat(1, span))]
    other_job = [series("nv_inference_request_success", {"job": "other"}, counter(1, span))]
    promtool_test(
        tmp_path,
        [
            case(nothing + other_job, [check(name, wait / 2), check(name, wait + 2, alert)]),
            case(model(POD0, "ner", success=1, minutes=span), [check(name, wait + 2)]),
        ],
    )


def absent_description(in_cluster: str) -> str:
    return (
        f'No target matching {{job=~".*triton.*"}}{in_cluster} has reported '
        f"nv_inference_request_success for {settings('TritonMetricsAbsent').for_}: Prometheus "
        "does not scrape Triton (on a central server: that cluster's samples stopped "
        "arriving), Triton runs without metrics, or no model is loaded."
    )


def test_metrics_absent_names_a_cluster_that_went_silent_on_a_central_server(
    tmp_path: Path,
) -> None:
    """On a central server (remote write, Thanos, Mimir) one silent cluster leaves the other
    clusters' series, so absent() alone never fires: the cluster that reported in the last
    hour and reports nothing now does, named; the cluster still reporting does not."""
    name = "TritonMetricsAbsent"
    wait = minutes(settings(name).for_)
    silent_at = 20  # minutes of traffic in both clusters, then west stops
    span = silent_at + wait + 15
    east = {**POD0, "cluster": "east"}
    west = {**POD1, "cluster": "west"}
    inputs = [
        *model(east, "ner", success=1, minutes=span),
        *model(west, "ner", success=1, minutes=silent_at),
    ]
    alert = fired(
        name,
        {"cluster": "west"},
        "No Triton server reports metrics in cluster west",
        absent_description(" in cluster west"),
    )
    promtool_test(
        tmp_path,
        [
            case(
                inputs,
                [
                    check(name, silent_at - 2),  # both report
                    check(name, silent_at + wait / 2),  # west silent, not for long enough
                    check(name, silent_at + wait + 10, alert),
                ],
            )
        ],
    )


def failure_alert(target: Mapping[str, str], model_name: str, reason: str, ratio: float) -> Any:
    name = "TritonFailureRatioHigh"
    labels = keyed(target, model_name, reason=reason)
    s = settings(name)
    return fired(
        name,
        labels,
        f"Triton model {model_name} fails {percent(ratio)} of requests ({reason})",
        f"Triton {where(labels)}: {percent(ratio)} of completed requests failed with reason "
        f"{reason} over {CONFIG.recording.window}, above {percent(s.threshold)} for {s.for_}.",
    )


def test_failure_ratio_alerts_per_reason_over_all_completed_requests(tmp_path: Path) -> None:
    name = "TritonFailureRatioHigh"
    threshold, wait = settings(name).threshold, minutes(settings(name).for_)
    span = wait + 5
    # ner: 2x the threshold of BACKEND failures, split over two GPUs; REJECTED at 0.
    total = 10.0
    backend = 2 * threshold * total
    ner = model(POD0, "ner", success=total - backend, minutes=span, failures={"BACKEND": backend},
                gpus=("GPU-a", "GPU-b"))  # fmt: skip
    # the ensemble (no gpu_uuid) fails OTHER at half the threshold: quiet
    other = threshold / 2 * total
    pipeline = model(POD0, "ner_pipeline", success=total - other, minutes=span,
                     failures={"OTHER": other})  # fmt: skip
    # off Kubernetes: the description names the instance
    static = model(STATIC, "resnet", success=total - backend, minutes=span,
                   failures={"BACKEND": backend})  # fmt: skip
    alerts = [
        failure_alert(POD0, "ner", "BACKEND", backend / total),
        failure_alert(STATIC, "resnet", "BACKEND", backend / total),
    ]
    promtool_test(
        tmp_path,
        [
            case(
                ner + pipeline + static,
                [check(name, wait / 2), check(name, wait + 2, *alerts)],
            )
        ],
    )


def test_failure_ratio_quiet_for_reasons_each_below_the_threshold(tmp_path: Path) -> None:
    """Each reason is its own alert: three reasons at 60 % of the threshold stay quiet."""
    name = "TritonFailureRatioHigh"
    threshold, wait = settings(name).threshold, minutes(settings(name).for_)
    each = 0.6 * threshold * 10
    failures = {"REJECTED": each, "CANCELED": each, "BACKEND": each}
    inputs = model(POD0, "ner", success=10 - 3 * each, minutes=wait + 5, failures=failures)
    idle = model(POD0, "idle", success=0, minutes=wait + 5)  # 0/0 is not a failure
    promtool_test(tmp_path, [case(inputs + idle, [check(name, wait + 2)])])


def test_failure_ratio_quiet_across_a_model_reload(tmp_path: Path) -> None:
    """Counters restart at 0 (and gain gpu_uuid) on reload: no spike, no alert."""
    name = "TritonFailureRatioHigh"
    promtool_test(
        tmp_path,
        [case(world(20), [check(name, minute) for minute in (RELOAD_AT + 1, 8, 12, 19)])],
    )


def queue_alerts(
    name: str, target: Mapping[str, str], model_name: str, summary: str, tail: str
) -> Any:
    labels = keyed(target, model_name)
    return fired(name, labels, summary, f"Triton {where(labels)}: {tail}")


def test_queue_time(tmp_path: Path) -> None:
    name = "TritonQueueTimeHigh"
    s = settings(name)
    wait = minutes(s.for_)
    slow = 2 * s.threshold  # seconds in the queue per request
    inputs = [
        *model(POD0, "slow", success=5, minutes=wait + 5, queue=slow, request=3 * slow,
               gpus=("GPU-a",)),
        *model(POD0, "fast", success=5, minutes=wait + 5, queue=s.threshold / 2,
               request=s.threshold),
    ]  # fmt: skip
    window = CONFIG.recording.window
    alert = queue_alerts(
        name,
        POD0,
        "slow",
        f"Triton model slow queues requests for {slow * 1000:.4g}ms",
        f"requests waited {slow * 1000:.4g}ms on average in the queue over {window}, above "
        f"{s.threshold:g}s for {s.for_}.",
    )
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, wait + 2, alert)])])


def test_alerts_on_a_central_server_keep_and_name_the_cluster(tmp_path: Path) -> None:
    """The same pod name in two clusters: two alerts, each naming its cluster; the quiet
    cluster's traffic is not mixed in (summed together the queue time would halve)."""
    name = "TritonQueueTimeHigh"
    s = settings(name)
    wait = minutes(s.for_)
    slow = 2 * s.threshold
    east, west = ({**POD0, "cluster": c} for c in ("east", "west"))
    inputs = [
        *model(east, "m", success=5, minutes=wait + 5, queue=slow, request=3 * slow),
        *model(west, "m", success=5, minutes=wait + 5, queue=slow, request=3 * slow),
        *model({**POD1, "cluster": "west"}, "m", success=50, minutes=wait + 5, queue=0.0),
    ]
    tail = (
        f"requests waited {slow * 1000:.4g}ms on average in the queue over "
        f"{CONFIG.recording.window}, above {s.threshold:g}s for {s.for_}."
    )
    alerts = [
        fired(name, keyed(target, "m"), f"Triton model m queues requests for {slow * 1000:.4g}ms",
              f"Triton {where(target | {'model': 'm', 'version': '1'})} in cluster "
              f"{target['cluster']}: {tail}")
        for target in (east, west)
    ]  # fmt: skip
    promtool_test(tmp_path, [case(inputs, [check(name, wait + 2, *alerts)])])


def test_queue_share(tmp_path: Path) -> None:
    name = "TritonQueueShareHigh"
    s = settings(name)
    wait = minutes(s.for_)
    share = (1 + s.threshold) / 2  # between the threshold and 100 %
    long_request = 10 * CONFIG.min_queue_time
    short_request = CONFIG.min_queue_time / 2  # as much queued, but too short to matter
    inputs = [
        *model(POD0, "queued", success=5, minutes=wait + 5, queue=share * long_request,
               request=long_request),
        *model(POD0, "quick", success=5, minutes=wait + 5, queue=share * short_request,
               request=short_request),
        *model(POD0, "balanced", success=5, minutes=wait + 5, queue=0.1 * long_request,
               request=long_request),
    ]  # fmt: skip
    alert = queue_alerts(
        name,
        POD0,
        "queued",
        f"Triton model queued spends {percent(share)} of request time queued",
        f"{percent(share)} of the average request time over {CONFIG.recording.window} is "
        f"spent waiting in the queue, above {percent(s.threshold)} for {s.for_}.",
    )
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, wait + 2, alert)])])


def test_pending_requests_growing(tmp_path: Path) -> None:
    name = "TritonPendingRequestsGrowing"
    s = settings(name)
    wait, trend = minutes(s.for_), minutes(CONFIG.pending_window)
    span = wait + trend + 5
    pending = catalog.PENDING_REQUESTS.name
    growing = [float(i) for i in range(steps(span) + 1)]  # one more request every step
    inputs = [
        series(pending, keyed(POD0, "backlog"), growing),
        series(pending, keyed(POD0, "steady"), flat(10 * s.threshold, span)),  # big, flat
        series(pending, keyed(POD0, "small"), [min(v, s.threshold) for v in growing]),
        series(pending, keyed(POD0, "ner_pipeline"), flat(0, span)),  # ensembles stay ~0
    ]
    at = s.threshold * STEP / 60 + wait + 2  # minutes: above the threshold, then for_
    now = growing[steps(at)]
    alert = queue_alerts(
        name,
        POD0,
        "backlog",
        f"Triton model backlog has {now:g} requests pending, and rising",
        f"{now:g} requests are waiting for execution and the backlog has kept growing over "
        f"{CONFIG.pending_window} for {s.for_}.",
    )
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, at, alert)])])


def gpu_alert(name: str, target: Mapping[str, str], gpu: str, summary: str, tail: str) -> Any:
    labels = {**target, "gpu_uuid": gpu}
    return fired(name, labels, summary, f"Triton GPU {gpu} of {place(target)}: {tail}")


def test_gpu_memory_near_full(tmp_path: Path) -> None:
    name = "TritonGPUMemoryNearFull"
    s = settings(name)
    wait = minutes(s.for_)
    full = (1 + s.threshold) / 2
    total = 80e9
    inputs = []
    for target in (POD0, POD1):  # two pods share GPU-a: each pod's alert names its pod
        for gpu, used in (("GPU-a", full), ("GPU-b", s.threshold / 2)):
            labels = {**target, "gpu_uuid": gpu}
            inputs += [
                series("nv_gpu_memory_used_bytes", labels, flat(used * total, wait + 5)),
                series("nv_gpu_memory_total_bytes", labels, flat(total, wait + 5)),
            ]
    alerts = [
        gpu_alert(
            name,
            target,
            "GPU-a",
            f"GPU GPU-a memory is {percent(full)} used",
            f"{percent(full)} of the framebuffer memory is in use, above "
            f"{percent(s.threshold)} for {s.for_}.",
        )
        for target in (POD0, POD1)
    ]
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, wait + 2, *alerts)])])


def test_gpu_saturated_uses_the_average_not_the_peaks(tmp_path: Path) -> None:
    name = "TritonGPUSaturated"
    s = settings(name)
    wait = minutes(s.for_)
    span = wait + 5
    busy = (1 + s.threshold) / 2
    n = steps(span) + 1
    # peaks at 100 % every other sample, but 10 points under the threshold on average
    spiky = [1.0 if i % 2 else 2 * s.threshold - 1.2 for i in range(n)]
    inputs = [
        series("nv_gpu_utilization", {**STATIC, "gpu_uuid": "GPU-a"}, flat(busy, span)),
        series("nv_gpu_utilization", {**STATIC, "gpu_uuid": "GPU-b"}, spiky),
    ]
    alert = gpu_alert(
        name,
        STATIC,
        "GPU-a",
        f"GPU GPU-a is {percent(busy)} busy",
        f"utilization averaged {percent(busy)} over {CONFIG.recording.window}, above "
        f"{percent(s.threshold)} for {s.for_}.",
    )
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, wait + 2, alert)])])


def test_traffic_stopped_is_off_by_default() -> None:
    assert "TritonModelTrafficStopped" not in render(CONFIG)
    assert "TritonModelTrafficStopped" in render(CONFIG.tune("traffic_stopped", enabled=True))


def test_traffic_stopped(tmp_path: Path) -> None:
    name = "TritonModelTrafficStopped"
    config = CONFIG.tune("traffic_stopped", enabled=True)
    s = settings(name, config)
    wait = minutes(s.for_)
    # the rate over the recording window reaches 0 one window after the traffic stops
    busy, quiet = 10.0, minutes(config.recording.window) + wait + 5
    stopped = []
    for entry in model(POD0, "stopped", success=2, minutes=busy):
        last = entry["values"].split()[-1]
        stopped.append({**entry, "values": entry["values"] + f" {last}" * steps(quiet)})
    inputs = [
        *stopped,
        *model(POD0, "never_used", success=0, minutes=busy + quiet),
        *reloaded_ner(busy + quiet),  # reloaded at minute 5, traffic goes on: quiet
    ]
    labels = keyed(POD0, "stopped")
    alert = fired(
        name,
        labels,
        "Triton model stopped gets no requests any more",
        f"Triton {where(labels)}: no request has succeeded for {s.for_}, after traffic "
        f"within the last {config.traffic_lookback}.",
        config,
    )
    promtool_test(
        tmp_path,
        [case(inputs, [check(name, busy - 1), check(name, busy + quiet - 3, alert)])],
        config,
    )


def test_every_alert_has_a_test_and_a_runbook_section() -> None:
    here = Path(__file__)  # the LLM alerts are tested in test_llm_rules.py
    files = (here, here.with_name("test_llm_rules.py"))
    source = "".join(path.read_text(encoding="utf-8") for path in files)
    text = runbook()
    for alert in ALERTS:
        assert f'name = "{alert.name}"' in source, f"no promtool test for {alert.name}"
        assert f"\n## {alert.name}\n" in text, f"no runbook section for {alert.name}"
    assert {a.key for a in ALERTS} == set(RulesConfig.alert_keys())


# -- configuration and CLI ----------------------------------------------------------------------


def test_tune_changes_one_alert_and_rejects_unknown_names() -> None:
    tuned = CONFIG.tune("failure_ratio", threshold=0.2, severity="critical", for_="1m")
    rule = next(r for r in groups(tuned)[1]["rules"] if r["alert"] == "TritonFailureRatioHigh")
    assert rule["expr"].endswith("> 0.2")
    assert rule["for"] == "1m" and rule["labels"]["severity"] == "critical"
    with pytest.raises(RulesError, match="no alert"):
        CONFIG.tune("nope", threshold=1)
    with pytest.raises(RulesError, match="settings"):
        CONFIG.tune("failure_ratio", thresh=1)
    with pytest.raises(RulesError, match="duration"):
        CONFIG.tune("failure_ratio", for_="5 minutes")
    with pytest.raises(RulesError, match="label"):
        RulesConfig(labels={"severity": "x"})


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "rules", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_writes_the_rules_of_the_library(tmp_path: Path) -> None:
    done = cli("--format", "prometheusrule", "--namespace", "obs", "--release", "kps",
               "-o", "rules.yaml", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "rules.yaml").read_text(encoding="utf-8")
    assert written == render(RulesConfig(), "prometheusrule", namespace="obs", release="kps")
    done = cli("--window", "2m", "--job", "inference", "--enable", "traffic_stopped", cwd=tmp_path)
    config = RulesConfig(
        scope=Scope().where(Matcher("job", "=~", "inference")),
        recording=Recording(window="2m"),
    ).tune("traffic_stopped", enabled=True)
    assert done.stdout == render(config)


@pytest.mark.parametrize(("flag", "label"), [("k8s_cluster", "k8s_cluster"), ("", None)])
def test_cli_cluster_label_is_the_recordings(flag: str, label: str | None, tmp_path: Path) -> None:
    done = cli("--cluster-label", flag, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == render(RulesConfig(recording=Recording(cluster=label)))
    assert ("by (k8s_cluster, namespace" in done.stdout) is (label is not None)


def test_cli_defaults_are_the_librarys() -> None:
    """The default window written in the CLI is the recording's: one name, one window."""
    from triton_dashboards.cli.rules import rules as command

    defaults = {o.name: o.default for o in command.params}
    assert defaults["window"] == Recording().window
    assert defaults["cluster_label"] == Recording().cluster


def test_per_cluster_keeps_the_label_in_every_aggregation() -> None:
    scope = Scope(namespace="triton").per_cluster()
    assert scope.group == ("cluster", "model", "version")
    assert scope.by("model").group == ("cluster", "model")
    assert scope.by_gpu("gpu_uuid").gpu_group == ("cluster", "gpu_uuid")
    assert scope.host_group == ("cluster", "instance")
    assert str(q.request_rate(scope.by())) == (
        'sum by (cluster) (rate(nv_inference_request_success{namespace="triton"}'
        "[$__rate_interval]))"
    )
    renamed = scope.per_cluster("region")
    assert renamed.group == ("region", "model", "version")
    assert renamed.per_cluster(None).group == ("model", "version")
    with pytest.raises(ValueError, match="cluster label"):
        Scope().per_cluster("k8s-cluster")


@pytest.mark.parametrize(
    "args",
    [
        ("--window", "5x"),
        ("--cluster-label", "k8s-cluster"),
        ("--job", "("),
        ("--enable", "nope"),
        ("--format", "prometheusrule", "--namespace", "Bad_NS"),
        ("-o", "missing/dir/rules.yml"),
    ],
)
def test_cli_errors_are_one_line(args: tuple[str, ...], tmp_path: Path) -> None:
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


# -- the runbook travels with the rules; the manifest is labelled like the others -------------


def test_default_rules_carry_no_relative_runbook_link() -> None:
    """A relative ``docs/runbook.md`` opens nothing from Alertmanager: with no published
    address the alerts carry no link; with one, each links to its own section."""
    default = yaml.safe_load(render(RulesConfig()))["groups"][1]["rules"]
    assert default and all("runbook_url" not in r["annotations"] for r in default)
    linked = yaml.safe_load(render(CONFIG))["groups"][1]["rules"]
    assert [r["annotations"]["runbook_url"] for r in linked] == [
        f"https://runbooks.example.com/triton.md#{r['alert'].lower()}" for r in linked
    ]


def test_runbook_ships_in_the_package_and_the_cli_writes_it(tmp_path: Path) -> None:
    packaged = Path(rules_pkg.__file__).with_name("runbook.md")
    assert runbook() == packaged.read_text(encoding="utf-8")
    # that the wheel carries it: tests/test_packaging.py, on a built wheel
    assert "src/triton_dashboards/prometheus/rules/runbook.md" in (
        ROOT / "docs" / "runbook.md"
    ).read_text(encoding="utf-8")
    done = cli("--runbook", "-o", "runbook.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "runbook.md").read_text(encoding="utf-8") == runbook()
    done = cli("--runbook-url", "https://runbooks.example.com/triton.md", cwd=tmp_path)
    assert done.stdout == render(CONFIG)


def test_prometheusrule_is_labelled_part_of_the_project_with_the_monitors_api_version() -> None:
    manifest = yaml.safe_load(render(CONFIG, "prometheusrule"))
    crd_validator().validate(manifest)
    labels = manifest["metadata"]["labels"]
    assert labels["app.kubernetes.io/part-of"] == "triton-dashboards"
    assert manifest["apiVersion"] == API_VERSION


def test_an_unknown_placeholder_in_an_alert_text_fails_when_the_alert_is_built() -> None:
    with pytest.raises(RulesError, match=r"unknown placeholder \{treshold_percent\}"):
        Alert("X", "failure_ratio", lambda c: Selector("up"), "s", "above {treshold_percent}")
    with pytest.raises(RulesError, match=r"\{}"):
        Alert("X", "failure_ratio", lambda c: Selector("up"), "s {}", "d")


def test_placeholders_are_filled_in_summary_and_description() -> None:
    alert = Alert("X", "failure_ratio", lambda c: Selector("up"), "{for_} {{ $value }}", "{window}")
    (rule,) = alert_rules(CONFIG, (alert,))
    assert rule["annotations"]["summary"] == "5m {{ $value }}"
    assert rule["annotations"]["description"] == "5m"


@pytest.mark.parametrize(
    "make",
    [
        lambda: RulesConfig(pending_window="0s"),
        lambda: RulesConfig().tune("queue_time", for_="10x"),
        lambda: RulesConfig(target_labels=("namespace", "bad-label")),
        lambda: RulesConfig(labels={"1team": "x"}),
    ],
    ids=["zero duration", "bad for", "bad target label", "bad alert label"],
)
def test_durations_and_label_names_are_checked_by_the_validation_module(make: Any) -> None:
    with pytest.raises(RulesError):
        make()
