"""``init``: start a dashboards repository of one's own.

A team that only installs the package needs the same loop this project has: dashboard
files next to their JSON, ``make dashboards``/``check``/``format``/``publish``, and a CI job
that fails on stale JSON or a broken query. ``init`` writes that skeleton, with an example
dashboard that uses the stock template variables (a plain ``Dashboard`` gets only the
``datasource`` one). It never overwrites a file unless told to: a half-replaced repository
is worse than none.
"""

from __future__ import annotations

from pathlib import Path

import click

from triton_dashboards.cli.common import fail

EXAMPLE = '''\
"""Triton, as my team watches it: the stock selection, the panels we care about.

`make dashboards` renders this file to dashboards/triton.json; commit both.
More panels: `python -c "help('triton_dashboards.panels')"`.
"""

from triton_dashboards import Dashboard, Row, dashboards, panels

scope = dashboards.SCOPE  # namespace, job, instance, model, version, GPU
variables = dashboards.template_variables()  # the pickers that set them

# For one deployment, pin its model instead of offering the model and version pickers:
#   scope = dashboards.SCOPE.model("ner_pipeline")
#   variables = dashboards.template_variables(models=False)

dashboard = Dashboard(
    title="Triton (my team)",
    uid="my-team-triton",
    variables=variables,
    rows=[
        Row(
            "Is it working?",
            [panels.failure_ratio(scope), panels.requests_per_minute(scope)],
        ),
        Row(
            "Where the time goes",
            [panels.latency_by_phase(scope), panels.batch_size(scope)],
        ),
    ],
)
'''

MAKEFILE = (
    "# Dashboards as code for NVIDIA Triton (triton-dashboards).\n"
    "# dashboards/NAME.dashboard.py renders to dashboards/NAME.json; commit both.\n"
    "\n"
    "TD   ?= triton-dashboards\n"
    "RUFF ?= ruff\n"
    "\n"
    ".PHONY: dashboards check format publish ruff\n"
    "\n"
    "## Render every dashboards/*.dashboard.py into dashboards/*.json.\n"
    "dashboards:\n"
    "\t$(TD) build\n"
    "\n"
    "## The CI gate: committed JSON is current, every query is clean, the files are formatted.\n"
    "check: ruff\n"
    "\t$(TD) check\n"
    "\t$(TD) lint\n"
    "\t$(RUFF) format --check dashboards\n"
    "\n"
    "## Format the dashboard files (check fails on an unformatted one).\n"
    "format: ruff\n"
    "\t$(RUFF) format dashboards\n"
    "\n"
    "## Publish dashboards/*.json to Grafana (GRAFANA_URL, GRAFANA_TOKEN).\n"
    "publish:\n"
    "\t$(TD) publish\n"
    "\n"
    "ruff:\n"
    '\t@command -v $(RUFF) >/dev/null || { echo "ruff not found: pip install ruff"; exit 2; }\n'
)

WORKFLOW = """\
# Fails when committed JSON is stale, a query is broken, or a dashboard file is unformatted.
name: dashboards
on: [push, pull_request]
env:
  # Where your team keeps triton-dashboards: a git URL, a wheel in this repository, an index.
  TRITON_DASHBOARDS: triton-dashboards @ git+https://github.com/YOUR-ORG/triton-dashboards
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install ruff "$TRITON_DASHBOARDS"
      - run: make check
"""

GITIGNORE = """\
__pycache__/
*.pyc
.venv/
.ruff_cache/
"""

#: Path (relative to the repository) -> text. The JSON is not here: `build` writes it.
FILES = {
    Path("dashboards") / "triton.dashboard.py": EXAMPLE,
    Path("Makefile"): MAKEFILE,
    Path(".github") / "workflows" / "dashboards.yml": WORKFLOW,
    Path(".gitignore"): GITIGNORE,
}


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> None:
    """Start a dashboards repository in DIRECTORY (default: here).

    Writes dashboards/triton.dashboard.py (an example on the stock template variables),
    a Makefile (dashboards, check, format, publish), a GitHub Actions job that runs
    `make check`, and a .gitignore. Refuses to overwrite a file unless --force.

    \b
    Example:
      triton-dashboards init my-dashboards && cd my-dashboards && make dashboards
    """
    from triton_dashboards.files import write_atomic

    targets = {directory / path: text for path, text in FILES.items()}
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        fail(f"{existing[0]} already exists{more}; pass --force to overwrite, or init another DIR")
    try:
        for path, text in targets.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
    except OSError as e:
        fail(f"cannot write {e.filename or directory}: {e.strerror}; check the path")
    for path in targets:
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory} && make dashboards, then commit dashboards/")


COMMANDS = (init,)
