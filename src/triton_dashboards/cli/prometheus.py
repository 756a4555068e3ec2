"""``scrape-config`` and ``configmap``: what Prometheus and the Grafana sidecar need."""

from __future__ import annotations

from pathlib import Path

import click

from triton_dashboards.cli.common import DIR_OPTION, FILE_OPTION, emit, fail
from triton_dashboards.defaults import FOLDER

FORMATS = ("prometheus", "kube-prometheus-stack", "servicemonitor", "podmonitor")


def _selector(pairs: tuple[str, ...]) -> dict[str, str]:
    selector: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            fail(
                f"--selector {pair!r} is not KEY=VALUE; e.g. --selector app=triton-inference-server"
            )
        selector[key] = value
    return selector


@click.command("scrape-config")
@click.option(
    "--format",
    "fmt",
    default="prometheus",
    show_default=True,
    help="prometheus (prometheus.yml), kube-prometheus-stack (Helm values), "
    "servicemonitor or podmonitor (prometheus-operator manifests).",
)
@click.option("--namespace", default="triton", show_default=True, help="Namespace of Triton.")
@click.option(
    "--service",
    default="triton-inference-server",
    show_default=True,
    help="Name of the Triton Service.",
)
@click.option(
    "--port",
    default="metrics",
    help="Metrics port: a port name, or a number (Triton's default is 8002); "
    "a number with --static  [default: metrics, 8002 with --static]",
)
@click.option("--interval", default="15s", show_default=True, help="Scrape interval.")
@click.option(
    "--scrape-timeout",
    default=None,
    help="Scrape timeout [default: 10s, or the interval if shorter].",
)
@click.option("--path", "metrics_path", default="/metrics", show_default=True, help="Metrics path.")
@click.option(
    "--release",
    default="kube-prometheus-stack",
    show_default=True,
    help="Helm release of kube-prometheus-stack, set as the release label of monitors.",
)
@click.option(
    "--selector",
    multiple=True,
    metavar="KEY=VALUE",
    help="Labels of Triton's pods (podmonitor) or Service (servicemonitor); repeatable.",
)
@click.option(
    "--static/--kubernetes-sd",
    default=False,
    help="For --format prometheus: scrape the Service address (one replica only) or discover "
    "every pod (Kubernetes endpoints)  [default: --kubernetes-sd]",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="HOST:PORT",
    help="With --static: scrape this address instead of the Service (a Triton on a VM, a "
    "local simulator); repeatable.",
)
@FILE_OPTION
@click.pass_context
def scrape_config(
    ctx: click.Context,
    fmt: str,
    namespace: str,
    service: str,
    port: str,
    interval: str,
    scrape_timeout: str | None,
    metrics_path: str,
    release: str,
    selector: tuple[str, ...],
    static: bool,
    targets: tuple[str, ...],
    output: Path | None,
) -> None:
    """Print how Prometheus should scrape Triton, in the format your Prometheus reads.

    \b
    Example:
      triton-dashboards scrape-config --service triton-inference-ner --port 8002
      triton-dashboards scrape-config --format kube-prometheus-stack -o triton-values.yaml
      triton-dashboards scrape-config --format servicemonitor --release my-kps | kubectl apply -f -
      triton-dashboards scrape-config --static --target 127.0.0.1:8002 --target 10.0.0.7:8002
    """
    from triton_dashboards.prometheus import monitors, scrape
    from triton_dashboards.prometheus.target import (
        DEFAULT_METRICS_PORT,
        InvalidTarget,
        TritonTarget,
    )

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    sd_source = ctx.get_parameter_source("static")
    if fmt != "prometheus" and sd_source is not click.core.ParameterSource.DEFAULT:
        fail("--static/--kubernetes-sd only apply to --format prometheus; drop the flag")
    port_given = ctx.get_parameter_source("port") is not click.core.ParameterSource.DEFAULT
    if targets and not static:
        fail("--target HOST:PORT needs --static (and --format prometheus); add --static")
    if targets and port_given:
        fail("--port does not apply to --target HOST:PORT; put the port in each target")
    if static and not port_given:
        port = str(DEFAULT_METRICS_PORT)  # a static target needs a number: Triton's default
    try:
        target = TritonTarget(
            namespace=namespace,
            service=service,
            port=port,
            interval=interval,
            scrape_timeout=scrape_timeout,
            metrics_path=metrics_path,
            release=release,
            selector=_selector(selector),
            static_targets=targets,
        )
        if fmt == "prometheus":
            text = scrape.prometheus_yaml(target, static=static)
        elif fmt == "kube-prometheus-stack":
            text = scrape.kube_prometheus_stack_yaml(target)
        elif fmt == "servicemonitor":
            text = monitors.service_monitor_yaml(target)
        else:
            text = monitors.pod_monitor_yaml(target)
    except InvalidTarget as e:
        fail(str(e))
    emit(text, output)


@click.command()
@DIR_OPTION
@click.option(
    "--namespace",
    default="monitoring",
    show_default=True,
    help="Namespace of the ConfigMaps (the kube-prometheus-stack sidecar searches all).",
)
@click.option(
    "--folder",
    default=FOLDER,
    show_default=True,
    help='Grafana folder (grafana_folder annotation); "" for none.',
)
@FILE_OPTION
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def configmap(
    directory: Path, namespace: str, folder: str, output: Path | None, files: tuple[Path, ...]
) -> None:
    """Print dashboard JSON as ConfigMaps for the Grafana sidecar (kube-prometheus-stack).

    One ConfigMap per dashboard, labelled grafana_dashboard: "1". Default: every
    JSON file in --dir.

    \b
    Example:
      triton-dashboards configmap | kubectl apply --server-side -f -
      triton-dashboards configmap dashboards/ner.json --folder "NER team" -o ner-cm.yaml
    """
    from triton_dashboards.prometheus.configmap import ConfigMapError, configmaps_yaml

    paths = list(files) or sorted(directory.glob("*.json"))
    if not paths:
        fail(f"no dashboard JSON in {directory}; run `triton-dashboards build` first")
    for path in paths:
        if not path.is_file():
            fail(f"no file {path}; pass rendered dashboard JSON files")
    try:
        text = configmaps_yaml(paths, namespace=namespace, folder=folder)
    except ConfigMapError as e:
        fail(str(e))
    emit(text, output)


COMMANDS = (scrape_config, configmap)
