"""The LLM families in the catalog, against the backends' own README samples (tests/data)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from triton_dashboards import catalog
from triton_dashboards.catalog import Kind, llm

_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)\{([^}]*)\}\s+\S+$", re.MULTILINE)
_TYPE = re.compile(r"^# TYPE (\S+) (\w+)$", re.MULTILINE)


def _sample(testdata: Path, backend: str) -> str:
    return next((testdata / "triton" / "samples").glob(f"*{backend}_backend_README*")).read_text()


def _labels(body: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', body))


@pytest.mark.parametrize("backend", ["tensorrtllm", "vllm"])
def test_every_llm_family_of_the_samples_is_cataloged_with_its_type(
    testdata: Path, backend: str
) -> None:
    text = _sample(testdata, backend)
    for name, kind in _TYPE.findall(text):
        if name.startswith(("nv_trt_llm_", "vllm:")):
            assert catalog.get(name).kind.value == kind, name


def test_tensorrt_llm_label_values_are_the_ones_the_backend_prints(testdata: Path) -> None:
    seen: dict[str, set[str]] = {}
    for name, body in _SAMPLE.findall(_sample(testdata, "tensorrtllm")):
        if name.startswith("nv_trt_llm_"):
            family = llm.family(name)
            assert family.label is not None
            seen.setdefault(name, set()).add(_labels(body)[family.label])
    for name, values in seen.items():
        assert values <= set(llm.family(name).values), name
    assert seen["nv_trt_llm_request_metrics"] == {"active", "max", "scheduled", "context",
                                                  "waiting"}  # fmt: skip


def test_tensorrt_llm_families_are_gauges_but_the_disaggregated_counter() -> None:
    trt = [f for f in llm.FAMILIES if f.backend == llm.TENSORRT_LLM and f.metric.labels[-1] != "le"]
    counters = {f.metric.name for f in trt if f.metric.kind is Kind.COUNTER}
    assert counters == {"nv_trt_llm_disaggregated_serving_metrics"}
    assert all(f.metric.kind is Kind.GAUGE for f in trt if f.metric.name not in counters)
    assert all(not f.metric.cumulative for f in trt if f.metric.name not in counters)


def test_vllm_families_carry_model_not_model_name_and_need_the_switch(testdata: Path) -> None:
    for name, body in _SAMPLE.findall(_sample(testdata, "vllm")):
        labels = _labels(body)
        assert "model" in labels and "model_name" not in labels, name
        assert catalog.get(name.removesuffix("_bucket").removesuffix("_sum")
                           .removesuffix("_count")).flag == llm.VLLM_FLAG  # fmt: skip


def test_vllm_buckets_start_where_the_sample_starts(testdata: Path) -> None:
    first: dict[str, float] = {}
    for name, body in _SAMPLE.findall(_sample(testdata, "vllm")):
        if name.endswith("_bucket"):
            first.setdefault(name.removesuffix("_bucket"), float(_labels(body)["le"]))
    for name, bound in first.items():
        if name == "vllm:e2e_request_latency_seconds":
            continue  # the README predates the current 0.3 s first bound (metrics.py, 2025)
        assert llm.family(name).buckets[0] == bound, name
    assert llm.family("vllm:e2e_request_latency_seconds").buckets[0] == 0.3


def test_e2e_request_latency_is_cataloged() -> None:
    metric = catalog.get("vllm:e2e_request_latency_seconds")
    assert metric.kind is Kind.HISTOGRAM and metric.unit == "s" and metric.since == "24.08"


def test_a_statistic_the_backend_does_not_report_fails_at_build_time() -> None:
    assert llm.statistic("nv_trt_llm_kv_cache_block_metrics", "used") == (
        "kv_cache_block_type",
        "used",
    )
    with pytest.raises(ValueError, match="use one of max, free, used"):
        llm.statistic("nv_trt_llm_kv_cache_block_metrics", "usage")
    with pytest.raises(KeyError, match="not an LLM family"):
        llm.family("nv_inference_count")


def test_token_buckets_follow_vllms_one_two_five_rule() -> None:
    assert llm.TOKEN_BUCKETS[:7] == (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
    assert llm.TOKEN_BUCKETS[-1] == 2000.0
