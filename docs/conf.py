"""Sphinx configuration: the pages of docs/ (Markdown, through myst-parser) and an API
reference generated from the package's docstrings (autodoc, autosummary).

Sphinx rather than mkdocs: the docstrings are reStructuredText (``literals``, ``:mod:`` and
``:class:`` roles), which autodoc reads as they are written, and autosummary's ``:recursive:``
finds every module of the package by itself, so a new module is documented without editing
a list. ``make docs`` runs it with ``-W --keep-going``: a broken docstring, a dangling
cross-reference or a link to a missing page fails the build, and tests/test_docs.py runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import triton_dashboards

project = "triton-dashboards"
author = "triton-dashboards authors"
release = triton_dashboards.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
]

# The source directory is the repository root (``sphinx-build -c docs . build/docs``), so
# that the links between README, BENCHMARKS, the runbook and docs/ resolve as they do on a
# forge, and a link to a page that does not exist is a warning, hence an error.
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "docs/index"
include_patterns = ["*.md", "docs/**", "src/triton_dashboards/prometheus/rules/runbook.md"]
exclude_patterns = ["docs/_templates/**"]
# Absolute: autosummary resolves template paths against the source directory, not this one.
templates_path = [str(Path(__file__).parent / "_templates")]

# Markdown: headings get anchors (links like pages.md#a-heading resolve), and ```{eval-rst}
# blocks carry the autosummary directive.
myst_heading_anchors = 3

autosummary_generate = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

html_theme = "alabaster"
html_title = "triton-dashboards"


def _public_names() -> str:
    """The table of ``triton_dashboards.__all__``: each name, linked to where it is documented.

    Built from the package itself, so a name added to (or moved behind) the top level shows
    up here with no edit; a name that no longer imports fails the build.
    """
    import importlib
    import inspect

    rows = []
    for name in triton_dashboards.__all__:
        obj = getattr(triton_dashboards, name)
        if inspect.ismodule(obj):
            target, role = obj.__name__, "mod"
        else:
            target = f"{obj.__module__}.{obj.__qualname__}"
            role = "class" if inspect.isclass(obj) else "func"
        importlib.import_module(target if role == "mod" else obj.__module__)
        summary = (inspect.getdoc(obj) or "").split("\n\n", 1)[0].replace("\n", " ")
        rows.append(f"   * - :{role}:`{name} <{target}>`\n     - {summary}")
    header = (
        ".. list-table::\n   :header-rows: 1\n   :widths: 1 4\n\n   * - name\n     - what it is\n"
    )
    return "```{eval-rst}\n" + header + "\n".join(rows) + "\n```\n"


def _add_public_names(app: object, docname: str, source: list[str]) -> None:
    if docname == "docs/reference":
        source[0] = source[0].replace("<!-- public names -->", _public_names())


def setup(app: Any) -> None:
    app.connect("source-read", _add_public_names)
