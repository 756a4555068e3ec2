"""``init``: start a dashboards repository of one's own.

A team that only installs the package needs the same loop this project has: dashboard
files next to their JSON, ``make dashboards``/``check``/``format``/``publish``, and a CI job
that fails on stale JSON or a broken query. ``init`` writes that skeleton, with an example
dashboard that uses the stock template variables (a plain ``Dashboard`` gets only the
``datasource`` one), and the stock dashboards in one file (``--no-stock`` leaves them out).

The stock dashboards are in by default: most teams want them in their Grafana, and from
their own repository they are pinned to the package version the repository installs and
kept current by ``check`` like the rest; a team that already gets them from elsewhere
declines with one flag or deletes one file. It never overwrites a file unless told to: a
half-replaced repository is worse than none.
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

selection = dashboards.Selection()  # the stock pickers: namespace, job, model, version...
scope = selection.scope  # the series they select

# For one deployment, pin its model instead of offering the model and version pickers:
#   selection = dashboards.Selection(models=False)
#   scope = selection.scope.model("ner_pipeline")

dashboard = Dashboard(
    title="Triton (my team)",
    uid="my-team-triton",
    variables=selection.variables,
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

STOCK = '''\
"""The stock Triton dashboards of the installed triton-dashboards, next to our own.

`make dashboards` writes each to dashboards/stock.UID.json; when a new triton-dashboards
renders them differently, `make check` fails until `make dashboards` is run and committed.

Tailored (any option below), they are dashboards of our own: uids and titles take
uid_prefix ("tailored-" when none is given), so they never overwrite the stock ones in
Grafana; replace_stock=True keeps the stock uids instead. For example:

    dashboards = stock_dashboards(
        namespace="triton",  # one namespace instead of the Namespace picker
        recorded=True,  # read the series of `triton-dashboards rules`
        ensembles=[Ensemble("ner_pipeline", ["ner_preprocess", "ner", "ner_postprocess"])],
        uid_prefix="my-team-",
    )

only=["overview", "model"] ships some of them; see help(stock_dashboards).
"""

from triton_dashboards.dashboard.stock import Ensemble, stock_dashboards  # noqa: F401

dashboards = stock_dashboards()
'''

#: The project's ruff settings, so `make format` formats at the width the snippets use.
RUFF = """\
line-length = 100
target-version = "py310"

[lint]
select = ["E", "F", "W", "I", "B", "UP", "SIM", "RUF"]
"""

#: ``make publish``: the tool's exit status and what it means, since make turns every
#: failure into its own 2 (a recipe cannot make make exit 1).
PUBLISH_RECIPE = (
    "\t@$(TD) publish || { status=$$?; case $$status in \\\n"
    "\t  1) why='a conflict or a failed dashboard, named above';; \\\n"
    "\t  *) why='nothing could be done, see the error above';; esac; \\\n"
    '\t  echo "triton-dashboards publish exited $$status: $$why" >&2; exit $$status; }\n'
)

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
    "## make itself exits 2 on any failure; the line below names the tool's own exit status.\n"
    "## Scripts that read it (1 conflict, 2 nothing done) run `triton-dashboards publish`.\n"
    "publish:\n"
    f"{PUBLISH_RECIPE}"
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
    Path("ruff.toml"): RUFF,
    Path(".github") / "workflows" / "dashboards.yml": WORKFLOW,
    Path(".gitignore"): GITIGNORE,
}
#: The stock dashboards, written unless ``--no-stock``.
STOCK_FILE = Path("dashboards") / "stock.dashboard.py"


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--stock/--no-stock",
    default=True,
    show_default=True,
    help="Ship the stock dashboards (overview, model, GPU and host, LLM) from "
    "dashboards/stock.dashboard.py, kept current by `build` and `check`.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, stock: bool, force: bool) -> None:
    """Start a dashboards repository in DIRECTORY (default: here).

    Writes dashboards/triton.dashboard.py (an example on the stock template variables),
    dashboards/stock.dashboard.py (the stock dashboards, to tailor or drop: --no-stock),
    a Makefile (dashboards, check, format, publish), ruff.toml, a GitHub Actions job that
    runs `make check`, and a .gitignore. Refuses to overwrite a file unless --force.

    \b
    Example:
      triton-dashboards init my-dashboards && cd my-dashboards && make dashboards
      triton-dashboards init --no-stock my-dashboards   # our own dashboards only
    """
    from triton_dashboards.files import write_atomic

    files = {**FILES, STOCK_FILE: STOCK} if stock else FILES
    targets = {directory / path: text for path, text in files.items()}
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
