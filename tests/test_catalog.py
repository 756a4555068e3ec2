"""The metric catalog against real ``/metrics`` output and against Triton's family table.

The sample files in ``tests/data/triton/samples/`` are scrapes (or excerpts of scrapes quoted in
READMEs and source files) from Triton releases 21.x to current. Every ``nv_`` or ``vllm:`` name in
them must be a catalog family or a known removed one, with the same type.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from triton_dashboards import catalog
from triton_dashboards.catalog import (
    CATALOG,
    REMOVED,
    UNITS,
    Group,
    Kind,
    UnknownMetricError,
    family_of,
    get,
    in_group,
    llm,
    removed_family_of,
)

# -- Reading the exposition format by hand ----------------------------------------------------
# prometheus_client's parser is not used: it renames counters (adds _total), and some samples
# are quoted from READMEs or Python source, with indentation, quotes or escaped quotes.

_NAME = r"[A-Za-z_:][A-Za-z0-9_:]*"
_TYPE_LINE = re.compile(rf"^#\s*TYPE\s+({_NAME})\s+(\w+)")
_HELP_LINE = re.compile(rf"^#\s*HELP\s+({_NAME})\s+(.*)$")
_SAMPLE_LINE = re.compile(rf"^({_NAME})(\{{.*\}})?\s+[-+]?(?:\d|\.\d|Inf|NaN)")
_LABEL_NAME = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"')
_WRAPPING = " \t'\"`>,"  # indentation, string quotes, markdown quote marks around a line


def _is_triton(name: str) -> bool:
    return name.startswith(("nv_", "vllm:"))


@attrs.define
class Exposition:
    """What one sample file declares and shows, for Triton names only."""

    types: dict[str, str] = attrs.field(factory=dict)  # family -> declared TYPE
    helps: dict[str, str] = attrs.field(factory=dict)  # family -> HELP text
    samples: dict[str, set[str]] = attrs.field(factory=dict)  # sample name -> label names seen

    @property
    def names(self) -> set[str]:
        return set(self.types) | set(self.helps) | set(self.samples)


def _clean(raw: str) -> str:
    line = raw.replace('\\"', '"').strip()
    line = re.sub(r"(\\n)+['\",]*$", "", line)  # a line quoted in source: "...\n",
    return line.strip(_WRAPPING) if not line.startswith("#") else line


def parse_exposition(text: str) -> Exposition:
    out = Exposition()
    for raw in text.splitlines():
        line = _clean(raw)
        if line.startswith("#"):
            if m := _TYPE_LINE.match(line):
                if _is_triton(m[1]):
                    out.types[m[1]] = m[2]
            elif (m := _HELP_LINE.match(line)) and _is_triton(m[1]):
                out.helps[m[1]] = m[2].strip()
        elif (m := _SAMPLE_LINE.match(line)) and _is_triton(m[1]):
            out.samples.setdefault(m[1], set()).update(_LABEL_NAME.findall(m[2] or ""))
    return out


def test_parser_handles_quoted_and_escaped_lines() -> None:
    text = "\n".join(
        [
            "    # TYPE nv_inference_count counter",
            '    "nv_inference_count{model=\\"m\\",version=\\"1\\"} 3.000000\\n"',
            '> nv_gpu_utilization{gpu_uuid="GPU-1"} 0.5',
            "nv_cpu_utilization 0.02255639097744361",
            'vllm:request_params_n_bucket{model="v",version="1",le="+Inf"} 1',
            "...",
            'if line.startswith("nv_inference_count"):',
        ]
    )
    exp = parse_exposition(text)
    assert exp.types == {"nv_inference_count": "counter"}
    assert exp.samples == {
        "nv_inference_count": {"model", "version"},
        "nv_gpu_utilization": {"gpu_uuid"},
        "nv_cpu_utilization": set(),
        "vllm:request_params_n_bucket": {"model", "version", "le"},
    }


# -- Against the sample scrapes ---------------------------------------------------------------


@pytest.fixture(scope="module")
def expositions(testdata: Path) -> dict[str, Exposition]:
    samples = testdata / "triton" / "samples"
    files = sorted(p for p in samples.glob("*.txt"))
    assert files, f"no sample files in {samples}"
    return {p.name: parse_exposition(p.read_text(encoding="utf-8")) for p in files}


def _known(sample_name: str) -> bool:
    return family_of(sample_name) is not None or removed_family_of(sample_name) is not None


def test_samples_were_read(expositions: dict[str, Exposition]) -> None:
    empty = [name for name, exp in expositions.items() if not exp.samples]
    assert not empty, f"no Triton samples extracted from: {empty}"
    families = {
        record.name
        for exp in expositions.values()
        for n in exp.names
        if (record := family_of(n) or removed_family_of(n)) is not None
    }
    nv_families = {n for n in families if n.startswith("nv_")}
    assert len(nv_families) >= 30, f"only {len(nv_families)} nv_ families seen: {nv_families}"
    assert any(n.startswith("vllm:") for n in families)


def test_every_name_in_the_samples_is_known(expositions: dict[str, Exposition]) -> None:
    offenders = [
        f"{file}: {name}"
        for file, exp in expositions.items()
        for name in sorted(exp.names)
        if not _known(name)
    ]
    assert not offenders, "names in the samples missing from CATALOG and REMOVED:\n" + "\n".join(
        offenders
    )


def test_declared_types_match_the_catalog(expositions: dict[str, Exposition]) -> None:
    # The 22.02-23.02 scrapes (SonicMetricAnalyzer) declare nv_cache_num_hits & co. as core gauges;
    # local_cache declares the same names as gauges since 23.03 (families.json, group plugin),
    # so one record covers both eras and no exception is needed here.
    offenders = []
    for file, exp in expositions.items():
        for name, declared in sorted(exp.types.items()):
            record = CATALOG.get(name) or REMOVED.get(name)
            if record is None:
                offenders.append(f"{file}: {name} declared {declared}, not a family name")
            elif record.kind.value != declared:
                offenders.append(f"{file}: {name} declared {declared}, catalog says {record.kind}")
    assert not offenders, "\n".join(offenders)


def _pre_2202_help(current: str) -> str:
    """Help as Triton printed it up to 22.01: "Cummulative" and no cached-request notes.

    The typo was fixed together with the cache notes in 22.02 (server PR #3569).
    """
    for note in (" (does not include cached requests)", " (includes cached requests)"):
        current = current.removesuffix(note)
    return current.replace("Cumulative", "Cummulative")


def test_help_texts_match_the_samples(expositions: dict[str, Exposition]) -> None:
    offenders = []
    for file, exp in expositions.items():
        for name, seen in sorted(exp.helps.items()):
            metric = CATALOG.get(name)
            if metric is not None and seen not in (metric.help, _pre_2202_help(metric.help)):
                offenders.append(f"{file}: {name}: sample {seen!r} != catalog {metric.help!r}")
    assert not offenders, "\n".join(offenders)


_DEFAULT_PER_MODEL_LABELS = {"model", "version", "namespace", "gpu_uuid"}


def test_labels_in_the_samples_match_the_catalog(expositions: dict[str, Exposition]) -> None:
    offenders = []
    for file, exp in expositions.items():
        for sample, labels in sorted(exp.samples.items()):
            metric = family_of(sample)
            if metric is None:
                continue  # removed families: only their names are checked
            allowed = set(metric.labels)
            if metric.per_model:
                allowed |= _DEFAULT_PER_MODEL_LABELS
            extra = {label for label in labels - allowed if not label.startswith("_")}
            if extra:
                offenders.append(f"{file}: {sample} has labels {sorted(extra)} not in the catalog")
            if metric.per_model != ({"model", "version"} <= labels):
                offenders.append(f"{file}: {sample} per_model={metric.per_model}, labels {labels}")
    assert not offenders, "\n".join(offenders)


# -- Against Triton's own family table (tests/data/triton/families.json) ---------------------


def _families(testdata: Path, group: str) -> list[dict[str, Any]]:
    """The rows of one group of the family table: per_model, server, plugin or removed."""
    table = json.loads((testdata / "triton" / "families.json").read_text(encoding="utf-8"))
    return [row for row in table["families"] if row["group"] == group]


@pytest.mark.parametrize("group", ["per_model", "server"])
def test_core_families_match_tritons_table(testdata: Path, group: str) -> None:
    offenders = []
    rows = _families(testdata, group)
    assert len(rows) >= 10
    for row in rows:
        name = row["name"]
        metric = CATALOG.get(name)
        if metric is None:
            offenders.append(f"{name}: missing")
            continue
        checks = {
            "kind": (metric.kind.value, row["kind"]),
            "help": (metric.help, row["help"]),
            "since": (metric.since, row["since"]),
            "labels": (set(metric.labels), set(row["labels"])),
            "per_model": (metric.per_model, group == "per_model"),
        }
        if row["unit"] is not None:
            checks["unit"] = (metric.unit, row["unit"])
        if row["on_by_default"] is not None:
            checks["on by default"] = (metric.flag == "", row["on_by_default"])
        offenders += [
            f"{name}: {what} {got!r} != {want!r}"
            for what, (got, want) in checks.items()
            if got != want
        ]
    assert not offenders, "\n".join(offenders)


def test_plugin_families_match_tritons_table(testdata: Path) -> None:
    offenders = []
    for row in _families(testdata, "plugin"):
        metric = CATALOG.get(row["name"])
        if metric is None:
            offenders.append(f"{row['name']}: missing")
        elif metric.kind.value != row["kind"] or not metric.plugin:
            offenders.append(f"{row['name']}: {metric.kind}, plugin {metric.plugin!r}")
    assert not offenders, "\n".join(offenders)
    # User-defined families (the identity backend's example) are not Triton's to catalog.
    assert "input_byte_size_counter" not in CATALOG


def test_catalog_is_exactly_the_families_of_tritons_table(testdata: Path) -> None:
    documented = {
        row["name"]
        for group in ("per_model", "server", "plugin")
        for row in _families(testdata, group)
    }
    assert sorted(documented - CATALOG.keys()) == []
    # Newer vLLM backend families the table predates (catalog.llm says which).
    assert sorted(CATALOG.keys() - documented - llm.BEYOND_FAMILY_TABLE) == []


def test_removed_families_match_tritons_table(testdata: Path) -> None:
    names = {row["name"]: row["kind"] for row in _families(testdata, "removed")}
    assert {n: r.kind.value for n, r in REMOVED.items()} == names


# -- Unit tests ----------------------------------------------------------------------------------


def test_get_returns_the_record() -> None:
    assert get("nv_inference_count") is catalog.INFERENCE_COUNT


def test_get_of_a_removed_family_names_the_replacement() -> None:
    with pytest.raises(UnknownMetricError) as info:
        get("nv_inference_compute_duration_us")
    message = str(info.value)
    assert "removed" in message and "2.0" in message
    assert "nv_inference_compute_infer_duration_us" in message
    assert "\n" not in message


def test_get_of_a_renamed_family_names_the_new_name() -> None:
    with pytest.raises(UnknownMetricError, match="use nv_cache_hit_duration_per_model"):
        get("nv_cache_hit_lookup_duration_per_model")


def test_get_of_a_typo_suggests_the_closest_name() -> None:
    with pytest.raises(UnknownMetricError, match="did you mean 'nv_inference_count'"):
        get("nv_inference_cout")


def test_get_of_an_unknown_name_says_where_to_look() -> None:
    with pytest.raises(UnknownMetricError, match=r"triton_dashboards\.catalog\.CATALOG") as info:
        get("nv_foo")
    assert isinstance(info.value, ValueError)
    assert info.value.name == "nv_foo"
    assert "did you mean" not in str(info.value)


def test_get_of_a_sample_name_points_to_the_family() -> None:
    with pytest.raises(UnknownMetricError, match="'nv_inference_first_response_histogram_ms'"):
        get("nv_inference_first_response_histogram_ms_bucket")


def test_units_are_grafana_ids() -> None:
    assert {m.unit for m in CATALOG.values()} <= UNITS
    assert "\u00b5s" in UNITS and "\u03bcs" not in UNITS  # MICRO SIGN, not GREEK MU
    assert catalog.REQUEST_DURATION.unit == "\u00b5s"
    assert catalog.ENERGY_CONSUMPTION.unit == "joule"
    assert catalog.GPU_UTILIZATION.unit == "percentunit"


def test_counters_and_counting_gauges_are_cumulative() -> None:
    assert all(m.cumulative for m in CATALOG.values() if m.kind is Kind.COUNTER)
    assert not any(m.cumulative for m in CATALOG.values() if m.kind is Kind.SUMMARY)
    local_cache = {m.name for m in CATALOG.values() if m.plugin == "local_cache" and m.cumulative}
    assert local_cache == {
        "nv_cache_num_lookups",
        "nv_cache_num_hits",
        "nv_cache_num_misses",
        "nv_cache_num_evictions",
        "nv_cache_lookup_duration",
        "nv_cache_insertion_duration",
    }
    assert not catalog.GPU_UTILIZATION.cumulative
    assert catalog.ENERGY_CONSUMPTION.cumulative and catalog.ENERGY_CONSUMPTION.kind is Kind.COUNTER


def test_sample_names() -> None:
    hist = catalog.FIRST_RESPONSE_HISTOGRAM
    assert hist.samples == (
        "nv_inference_first_response_histogram_ms_bucket",
        "nv_inference_first_response_histogram_ms_sum",
        "nv_inference_first_response_histogram_ms_count",
    )
    assert catalog.REQUEST_SUMMARY.samples == (
        "nv_inference_request_summary_us",
        "nv_inference_request_summary_us_sum",
        "nv_inference_request_summary_us_count",
    )
    assert catalog.INFERENCE_COUNT.samples == ("nv_inference_count",)
    assert family_of("nv_inference_first_response_histogram_ms_bucket") is hist
    assert family_of("nv_inference_first_response_histogram_ms") is hist  # the family name too
    assert family_of("nv_inference_request_summary_us_sum") is catalog.REQUEST_SUMMARY
    assert family_of("nv_inference_count") is catalog.INFERENCE_COUNT
    assert family_of("nv_inference_count_total") is None
    assert family_of("nv_gpu_utilization_sum") is None
    removed = removed_family_of("nv_inference_load_ratio_bucket")
    assert removed is not None and removed.name == "nv_inference_load_ratio"
    assert removed_family_of("nv_inference_count") is None


_CONSTANTS = {
    "REQUEST_SUCCESS": "nv_inference_request_success",
    "REQUEST_FAILURE": "nv_inference_request_failure",
    "INFERENCE_COUNT": "nv_inference_count",
    "EXEC_COUNT": "nv_inference_exec_count",
    "REQUEST_DURATION": "nv_inference_request_duration_us",
    "QUEUE_DURATION": "nv_inference_queue_duration_us",
    "COMPUTE_INPUT_DURATION": "nv_inference_compute_input_duration_us",
    "COMPUTE_INFER_DURATION": "nv_inference_compute_infer_duration_us",
    "COMPUTE_OUTPUT_DURATION": "nv_inference_compute_output_duration_us",
    "PENDING_REQUESTS": "nv_inference_pending_request_count",
    "MODEL_LOAD_DURATION": "nv_model_load_duration_secs",
    "FIRST_RESPONSE_HISTOGRAM": "nv_inference_first_response_histogram_ms",
    "REQUEST_SUMMARY": "nv_inference_request_summary_us",
    "QUEUE_SUMMARY": "nv_inference_queue_summary_us",
    "COMPUTE_INPUT_SUMMARY": "nv_inference_compute_input_summary_us",
    "COMPUTE_INFER_SUMMARY": "nv_inference_compute_infer_summary_us",
    "COMPUTE_OUTPUT_SUMMARY": "nv_inference_compute_output_summary_us",
    "CACHE_HITS": "nv_cache_num_hits_per_model",
    "CACHE_MISSES": "nv_cache_num_misses_per_model",
    "CACHE_HIT_DURATION": "nv_cache_hit_duration_per_model",
    "CACHE_MISS_DURATION": "nv_cache_miss_duration_per_model",
    "CACHE_HIT_SUMMARY": "nv_cache_hit_summary_per_model",
    "CACHE_MISS_SUMMARY": "nv_cache_miss_summary_per_model",
    "GPU_UTILIZATION": "nv_gpu_utilization",
    "GPU_MEMORY_TOTAL": "nv_gpu_memory_total_bytes",
    "GPU_MEMORY_USED": "nv_gpu_memory_used_bytes",
    "GPU_POWER_USAGE": "nv_gpu_power_usage",
    "GPU_POWER_LIMIT": "nv_gpu_power_limit",
    "ENERGY_CONSUMPTION": "nv_energy_consumption",
    "CPU_UTILIZATION": "nv_cpu_utilization",
    "CPU_MEMORY_TOTAL": "nv_cpu_memory_total_bytes",
    "CPU_MEMORY_USED": "nv_cpu_memory_used_bytes",
    "PINNED_MEMORY_TOTAL": "nv_pinned_memory_pool_total_bytes",
    "PINNED_MEMORY_USED": "nv_pinned_memory_pool_used_bytes",
}


@pytest.mark.parametrize(("constant", "name"), sorted(_CONSTANTS.items()))
def test_constants_are_catalog_records(constant: str, name: str) -> None:
    metric = getattr(catalog, constant)
    assert metric is CATALOG[name]
    assert metric.plugin == ""


def test_records_are_complete() -> None:
    for metric in CATALOG.values():
        assert metric.help.strip(), metric.name
        assert metric.name == metric.name.strip()
        assert not metric.since or re.fullmatch(r"\d\d\.\d\d", metric.since), metric.name
        assert metric.plugin in ("", "local_cache", "tensorrt_llm", "vllm"), metric.name
        assert ("le" in metric.labels) == (metric.kind is Kind.HISTOGRAM), metric.name
        assert ("quantile" in metric.labels) == (metric.kind is Kind.SUMMARY), metric.name
    for removed in REMOVED.values():
        assert all(r in CATALOG for r in removed.replacement), removed.name


def test_labels_and_scope() -> None:
    assert "reason" in catalog.REQUEST_FAILURE.labels
    assert in_group(Group.GPU)
    for metric in in_group(Group.GPU):
        assert metric.labels == ("gpu_uuid",) and not metric.per_model, metric.name
    for metric in (*in_group(Group.CPU), *in_group(Group.MEMORY)):
        assert not metric.per_model and "gpu_uuid" not in metric.labels, metric.name
    assert {m.name for m in in_group(Group.MEMORY)} == {
        "nv_pinned_memory_pool_total_bytes",
        "nv_pinned_memory_pool_used_bytes",
    }
    assert sum(len(in_group(g)) for g in Group) == len(CATALOG)


def test_records_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        catalog.INFERENCE_COUNT.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        CATALOG["x"] = catalog.INFERENCE_COUNT  # type: ignore[index]


def test_catalog_package_imports_only_stdlib_attrs_and_itself() -> None:
    imported: set[str] = set()
    for module in Path(catalog.__file__).parent.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        imported |= set(re.findall(r"^(?:from|import)\s+([\w.]+)", source, flags=re.MULTILINE))
    assert {m for m in imported if not m.startswith("triton_dashboards.catalog.")} <= {
        "__future__",
        "difflib",
        "enum",
        "collections.abc",
        "types",
        "typing",
        "attrs",
    }


# -- request facts: phases and failure reasons, once --------------------------------------------


def test_every_phase_names_its_duration_counter_and_summary() -> None:
    for phase in catalog.Phase:
        assert phase.duration.name == f"nv_inference_{phase.key}_duration_us"
        assert phase.summary.name == f"nv_inference_{phase.key}_summary_us"
        assert phase.duration.kind is Kind.COUNTER and phase.summary.kind is Kind.SUMMARY
        assert phase.duration.unit == phase.summary.unit == catalog.MICROSECONDS
        assert phase.title == phase.key.replace("_", " ")
    durations = {m.name for m in CATALOG.values() if m.name.endswith("_duration_us")}
    assert durations == {p.duration.name for p in catalog.Phase}
    assert tuple(p for p in catalog.Phase if p is not catalog.Phase.REQUEST) == catalog.STEPS


def test_failure_reasons_are_the_label_values_triton_prints_in_its_order(testdata: Path) -> None:
    name = "ShivangGoswami_OpenShift-AI-Toolkit-Operator_README_metrics.txt"
    sample = (testdata / "triton" / "samples" / name).read_text(encoding="utf-8")
    printed = re.findall(
        r'nv_inference_request_failure\{model="densenet_onnx",reason="(\w+)"', sample
    )
    assert tuple(printed) == catalog.REASONS == ("OTHER", "BACKEND", "CANCELED", "REJECTED")
    assert all(r.meaning and r.since == "24.07" for r in catalog.FailureReason)
    assert [r for r in catalog.FailureReason if r.backend] == [catalog.FailureReason.BACKEND]
    assert "reason" in catalog.REQUEST_FAILURE.labels


def test_integer_families_are_the_core_per_model_counters() -> None:
    integers = {m.name for m in CATALOG.values() if m.integer}
    assert catalog.REQUEST_SUCCESS.name in integers and catalog.CACHE_HITS.name in integers
    assert all(p.duration.name in integers for p in catalog.Phase)
    assert catalog.ENERGY_CONSUMPTION.name not in integers  # joules print with a fraction
    assert all(
        m.kind is Kind.COUNTER and m.per_model and not m.plugin
        for m in [CATALOG[n] for n in integers]
    )
