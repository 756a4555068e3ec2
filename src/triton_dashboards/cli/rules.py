"""``rules``: the Triton recording and alerting rules, for Prometheus or the operator."""

from __future__ import annotations

import re
from pathlib import Path

import click

from triton_dashboards.cli.common import FILE_OPTION, emit, fail


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["prometheus", "prometheusrule"]),
    default="prometheus",
    show_default=True,
    help="prometheus: a rules file for rule_files; prometheusrule: a PrometheusRule manifest.",
)
@click.option(
    "--namespace",
    default="monitoring",
    show_default=True,
    help="Namespace of the PrometheusRule.",
)
@click.option(
    "--release",
    default="kube-prometheus-stack",
    show_default=True,
    help="kube-prometheus-stack release name, set as the PrometheusRule's release label.",
)
@click.option(
    "--job",
    default=".*triton.*",
    show_default=True,
    help="Regex of the job label of the Triton targets the rules watch.",
)
@click.option(
    "--window",
    default="5m",
    show_default=True,
    help="rate() window of the recorded series (at least 4 scrape intervals). The window is "
    "in the record names: the committed *-recorded dashboards read 5m; check yours with "
    "`triton-dashboards lint --rules FILE`.",
)
@click.option(
    "--cluster-label",
    default="cluster",
    show_default=True,
    help="Label that tells clusters apart on a central server (external_labels); every "
    "record and alert keeps it, harmless where absent. Empty: none.",
)
@click.option(
    "--runbook-url",
    default="",
    help="Address where you publish the runbook (see --runbook); each alert then links to "
    "its section (URL#alertname). Default: no link.",
)
@click.option(
    "--runbook",
    "print_runbook",
    is_flag=True,
    help="Write the alerts' runbook (Markdown, shipped with the rules) instead of the rules.",
)
@click.option(
    "--enable",
    "enable",
    multiple=True,
    metavar="ALERT",
    help="Switch on an optional alert (traffic_stopped). Repeatable.",
)
@FILE_OPTION
def rules(
    fmt: str,
    namespace: str,
    release: str,
    job: str,
    window: str,
    cluster_label: str,
    runbook_url: str,
    print_runbook: bool,
    enable: tuple[str, ...],
    output: Path | None,
) -> None:
    """Write the recording and alerting rules for Triton.

    The recorded series are the ones the *-recorded dashboards read; tune thresholds,
    for durations and severities in Python (docs/rules.md, "Tune thresholds").

    \b
    Example:
      triton-dashboards rules -o triton-rules.yml && promtool check rules triton-rules.yml
      triton-dashboards rules --format prometheusrule --release my-kps | kubectl apply -f -
    """
    from triton_dashboards.prometheus.rules import RulesConfig, RulesError, render, runbook

    if print_runbook:
        emit(runbook(), output)
        return
    from triton_dashboards.promql import Matcher, PromQLError
    from triton_dashboards.query.recording import Recording
    from triton_dashboards.query.scope import Scope

    try:
        re.compile(job)
    except re.error as e:
        fail(f"--job {job!r} is not a regular expression ({e}); e.g. --job 'triton.*'")
    try:
        config = RulesConfig(
            scope=Scope().where(Matcher("job", "=~", job)),
            recording=Recording(window=window, cluster=cluster_label or None),
            runbook_url=runbook_url,
        )
        for name in enable:
            config = config.tune(name, enabled=True)
        text = render(config, "prometheusrule" if fmt == "prometheusrule" else "prometheus",
                      namespace=namespace, release=release)  # fmt: skip
    except (RulesError, PromQLError) as e:
        fail(f"{' '.join(str(e).split())}")
    emit(text, output)


COMMANDS = (rules,)
