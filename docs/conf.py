"""Sphinx configuration: the pages of docs/ (Markdown, through myst-parser) and an API
reference generated from the package's docstrings (autodoc, autosummary).

Sphinx rather than mkdocs: the docstrings are reStructuredText (``literals``, ``:mod:`` and
``:class:`` roles), which autodoc reads as they are written, and autosummary's ``:recursive:``
finds every module of the package by itself, so a new module is documented without editing
a list. ``make docs`` runs it with ``-W --keep-going``: a broken docstring, a dangling
cross-reference or a link to a missing page fails the build, and tests/test_docs.py runs it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
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


_RELATIVE_MODULE = re.compile(r":mod:`\.(\w+(?:\.\w+)*)`")


def _resolve_relative_modules(
    app: object, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """``:mod:`.x``` in a docstring means the module ``x`` beside it, as a reader takes it.

    Sphinx reads a leading dot as "any module whose name ends in .x", which is ambiguous
    once the package has several (``catalog.llm``, ``query.llm``, ...): point each one at
    the sibling (or, in a package's own docstring, the submodule) that exists.
    """
    module = name if what == "module" else getattr(obj, "__module__", None) or name
    is_package = what == "module" and hasattr(sys.modules.get(module), "__path__")
    base = module if is_package else module.rpartition(".")[0]

    def absolute(match: re.Match[str]) -> str:
        target = f"{base}.{match.group(1)}"
        try:
            found = importlib.util.find_spec(target) is not None
        except ModuleNotFoundError:
            found = False
        return f":mod:`~{target}`" if found else match.group(0)

    lines[:] = [_RELATIVE_MODULE.sub(absolute, line) for line in lines]


def setup(app: Any) -> None:
    app.connect("source-read", _add_public_names)
    app.connect("autodoc-process-docstring", _resolve_relative_modules)
