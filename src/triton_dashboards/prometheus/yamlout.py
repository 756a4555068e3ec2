"""YAML as people write it for Prometheus and Kubernetes, byte-identical on every run.

PyYAML's defaults are correct but odd to read: lists flush with their key, long strings
folded, multi-line text in escaped double quotes. Here block lists are indented, short
lists of scalars stay on one line (``source_labels: [a, b]``), multi-line text is a
literal block, and keys keep the order the code builds them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

__all__ = ["dump"]


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style by itself when a literal block cannot hold the text.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flow = bool(value) and all(
        isinstance(v, str | int | float) and "\n" not in str(v) for v in value
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dump(documents: Sequence[Any], header: str, *, explicit_start: bool = False) -> str:
    """``documents`` as YAML after ``header`` turned into ``#`` comment lines.

    ``explicit_start`` puts ``---`` before each document, as Kubernetes manifests do.
    """
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.strip().splitlines())
    body = yaml.dump_all(
        documents,
        Dumper=_Dumper,
        explicit_start=explicit_start or len(documents) > 1,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    return comment + body
