"""History for a Prometheus that never scraped: an hour of targets written straight into a TSDB.

``promtool tsdb create-blocks-from openmetrics`` imports samples with their timestamps, so a
demo needs no waiting for scrapes: each target's ``/metrics`` text (the simulator's, for
``preview --demo``) is written as OpenMetrics, one family at a time and each series' samples
in time order (promtool drops a sample older than the one before it), with the labels
Prometheus' service discovery would add (job, instance, namespace, pod, ...) and ``up``.

A target whose values grow linearly in time (the simulator's: every rate is constant) is
rendered twice and extended by arithmetic, after a third rendering at the last instant
checks that it really is linear; any other target is rendered at every scrape.

Recording rules are backfilled with ``promtool tsdb create-blocks-from rules`` against a
Prometheus serving the imported data, one pass per level of records (promtool evaluates
each rule on what the server already holds, so a record that reads another record waits
for the pass after it).
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

__all__ = ["BackfillError", "Target", "create_blocks", "rule_passes", "write_openmetrics"]

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)$")


class BackfillError(Exception):
    """promtool refused the data or the rules; one line."""


@attrs.frozen
class Target:
    """One scraped endpoint: the labels discovery gives it, and its text at a moment
    (``scrape(seconds since it started)``)."""

    labels: Mapping[str, str]
    scrape: Callable[[float], str]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _families(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """``(family, kind, [(series, value)])`` in exposition order; ``series`` is the sample's
    name and labels as written."""
    families: list[tuple[str, str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            families.append((name, kind, []))
        elif line and not line.startswith("#"):
            match = _SAMPLE.match(line)
            if match is None:
                raise BackfillError(f"not a sample line: {line[:80]!r}")
            if not families:
                families.append((match.group(1), "unknown", []))
            families[-1][2].append((match.group(1) + (match.group(2) or ""), match.group(3)))
    return families


def _with_labels(series: str, extra: str) -> str:
    if not extra:
        return series
    if series.endswith("}"):
        return f"{series[:-1]},{extra}}}"
    return f"{series}{{{extra}}}"


def _number(text: str) -> float:
    return float(text.replace("Nan", "nan"))


def _text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return format(value, ".15g")


def _series_values(
    target: Target, elapsed: Sequence[float]
) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """Every family of ``target`` with each series' value at each of ``elapsed``."""
    first = _families(target.scrape(elapsed[0]))
    if len(elapsed) > 2:
        one = _families(target.scrape(elapsed[0] + 1.0))
        last = _families(target.scrape(elapsed[-1]))
        if _linear(first, one, last, elapsed[-1] - elapsed[0]):
            return [
                (name, kind, [
                    (series, [_text(_number(a) + (_number(b) - _number(a)) * (t - elapsed[0]))
                              for t in elapsed])
                    for (series, a), (_, b) in zip(samples, one_samples, strict=True)
                ])
                for (name, kind, samples), (_, _, one_samples) in zip(first, one, strict=True)
            ]  # fmt: skip
    scrapes = [first, *(_families(target.scrape(t)) for t in elapsed[1:])]
    out = []
    for i, (name, kind, samples) in enumerate(first):
        columns = [s[i][2] for s in scrapes]
        out.append(
            (
                name,
                kind,
                [(series, [c[j][1] for c in columns]) for j, (series, _) in enumerate(samples)],
            )
        )
    return out


def _linear(first: Any, one: Any, last: Any, span: float) -> bool:
    """Whether every series of ``last`` is where a straight line through the first two is."""
    shape = [(n, [s for s, _ in samples]) for n, _, samples in first]
    if shape != [(n, [s for s, _ in x]) for n, _, x in one] or shape != [
        (n, [s for s, _ in x]) for n, _, x in last
    ]:
        return False
    for (_, _, a), (_, _, b), (_, _, c) in zip(first, one, last, strict=True):
        for (_, va), (_, vb), (_, vc) in zip(a, b, c, strict=True):
            x, y, z = _number(va), _number(vb), _number(vc)
            if math.isnan(x) or math.isnan(z):
                if not (math.isnan(x) and math.isnan(z)):
                    return False
                continue
            if not math.isclose(x + (y - x) * span, z, rel_tol=1e-9, abs_tol=1e-6):
                return False
    return True


def write_openmetrics(targets: Sequence[Target], times: Sequence[float], out: IO[str]) -> int:
    """Write every target's samples at ``times`` (Unix seconds, ascending) as OpenMetrics;
    the number of samples written."""
    elapsed = [t - times[0] for t in times]
    stamps = [f" {t:.3f}\n" for t in times]
    families: dict[str, tuple[str, list[str]]] = {}
    written = 0
    for target in targets:
        extra = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(target.labels.items()))
        up = families.setdefault("up", ("gauge", []))[1]
        head = _with_labels("up", extra)
        up.append("".join(f"{head} 1{s}" for s in stamps))
        written += len(times)
        for name, kind, series in _series_values(target, elapsed):
            lines = families.setdefault(name, (kind, []))[1]
            for sample, values in series:
                head = _with_labels(sample, extra) + " "
                lines.append("".join(head + v + s for v, s in zip(values, stamps, strict=True)))
                written += len(values)
    for name, (kind, lines) in families.items():
        out.write(f"# TYPE {name} {kind}\n")
        out.writelines(lines)
    out.write("# EOF\n")
    return written


def _run(command: Sequence[str], what: str, timeout: float = 120.0) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise BackfillError(f"{what} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BackfillError(f"{what} failed (exit {done.returncode}): {last[0]}")


def create_blocks(promtool: str, source: Path, tsdb: Path) -> None:
    """Import the OpenMetrics file ``source`` into the TSDB directory ``tsdb``."""
    _run([promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", str(source), str(tsdb)],
         "promtool tsdb create-blocks-from openmetrics")  # fmt: skip


def create_rule_blocks(
    promtool: str, rules: Path, url: str, out: Path, start: float, end: float, interval: str
) -> list[Path]:
    """Evaluate the recording rules of ``rules`` over ``start``..``end`` against the
    Prometheus at ``url``; the blocks written under ``out``."""
    _run(
        [promtool, "tsdb", "create-blocks-from", "rules", f"--start={int(start)}",
         f"--end={math.ceil(end)}", f"--url={url}", f"--output-dir={out}",
         f"--eval-interval={interval}", str(rules)],
        "promtool tsdb create-blocks-from rules",
    )  # fmt: skip
    return sorted(b for b in out.iterdir() if (b / "meta.json").exists()) if out.exists() else []


def rule_passes(text: str) -> list[str]:
    """The recording rules of a rules file as successive rules files, each reading only raw
    series and the records of the files before it (groups and their order kept; alerts
    dropped: promtool backfills records only)."""
    import yaml

    groups = (yaml.safe_load(text) or {}).get("groups") or []
    pending = [(g, r) for g in groups for r in g.get("rules") or [] if "record" in r]
    names = {r["record"] for _, r in pending}
    reads = {
        r["record"]: {n for n in names if re.search(re.escape(n) + r"(?![\w:])", r["expr"])}
        for _, r in pending
    }
    done: set[str] = set()
    passes = []
    while pending:
        now = [(g, r) for g, r in pending if reads[r["record"]] <= done]
        if not now:
            raise BackfillError("the recording rules read each other in a circle")
        out: dict[str, dict[str, Any]] = {}
        for g, r in now:
            group = out.setdefault(g["name"], {k: v for k, v in g.items() if k != "rules"})
            group.setdefault("rules", []).append(r)
        passes.append(yaml.safe_dump({"groups": list(out.values())}, sort_keys=False))
        done |= {r["record"] for _, r in now}
        pending = [(g, r) for g, r in pending if r["record"] not in done]
    return passes


def scrape_times(start: float, end: float, interval: float) -> Iterator[float]:
    """Scrape instants from ``start`` to ``end`` inclusive, ``interval`` apart."""
    n = int((end - start) // interval)
    for i in range(n + 1):
        yield start + i * interval
