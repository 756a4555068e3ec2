"""The ``triton-dashboards`` command.

One module per group of commands; only click is imported up front and each command
imports what it needs, so ``--help`` answers in a few tens of milliseconds.
"""

from __future__ import annotations

import click

from triton_dashboards import __version__
from triton_dashboards.cli import (
    build,
    common,
    discover,
    doctor,
    init,
    preview,
    prometheus,
    publish,
    rules,
    simulate,
)


@click.group(cls=common.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triton-dashboards")
def main() -> None:
    """Grafana dashboards for NVIDIA Triton Inference Server, as code.

    Dashboards are Python files, dashboards/NAME.dashboard.py, rendered to
    dashboards/NAME.json, which is committed and loaded by Grafana as it is.

    \b
    Example:
      triton-dashboards build && git add dashboards/
    """


for _module in (init, build, prometheus, simulate, publish, rules, discover, doctor, preview):
    for _command in _module.COMMANDS:
        main.add_command(_command)
