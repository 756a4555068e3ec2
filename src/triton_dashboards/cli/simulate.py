"""``simulate``: a Triton metrics endpoint with a known workload, for demos and tests."""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from triton_dashboards.cli.common import fail

if TYPE_CHECKING:
    from triton_dashboards.simulator import Server, Service, Workload


def _address(listen: str, option: str = "--listen", example: int = 8002) -> tuple[str, int]:
    """``HOST:PORT``, ``[V6]:PORT`` or a bare ``PORT`` (on 127.0.0.1)."""
    host, sep, port = listen.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", listen
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        fail(f"{option} {listen!r} is not HOST:PORT; write e.g. 127.0.0.1:{example}")
    return host, int(port)


def _start(workload: Workload, listen: str, option: str, pod: str, service: Service) -> Server:
    """A server for ``service`` on ``listen``, or a one-line error naming ``option``."""
    from triton_dashboards.simulator import Server

    host, port = _address(listen, option, 8002 if service == "metrics" else 8000)
    try:
        return Server(workload, host=host, port=port, pod=pod, service=service)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            fail(
                f"cannot listen on {listen}: the port is in use; stop what holds it"
                f" or pick another with {option}"
            )
        fail(f"cannot listen on {listen}: {e.strerror or e}; check {option}")


def _load(workload: str | None) -> Workload:
    """A shipped workload by name, or a workload file; WorkloadError (one line)."""
    from triton_dashboards.simulator import Workload

    if workload is None:
        return Workload.default()
    path = Path(workload)
    if path.suffix in (".yaml", ".yml") or path.exists() or len(path.parts) > 1:
        return Workload.load(path)
    return Workload.named(workload)


# The docstring names every workload of simulator.spec.shipped(); test_simulator checks it.
@click.command()
@click.argument("workload", required=False)
@click.option(
    "--listen",
    default="127.0.0.1:8002",
    show_default=True,
    metavar="HOST:PORT",
    help="Address to serve /metrics on (port 0 picks a free one).",
)
@click.option(
    "--http",
    "http_listen",
    metavar="HOST:PORT",
    help="Also serve Triton's HTTP API (KServe v2: /v2, repository index, model"
    " configs) here, as Triton does on port 8000; what discover --triton reads.",
)
@click.option(
    "--pod",
    default="triton-0",
    show_default=True,
    help="Name of the simulated server; decides its GPU UUIDs, so pods differ.",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Multiply every request rate, e.g. a busier second pod.",
)
def simulate(
    workload: str | None, listen: str, http_listen: str | None, pod: str, scale: float
) -> None:
    """Serve Triton's /metrics for WORKLOAD until Ctrl-C.

    WORKLOAD is a workload shipped with the package, by name: ner (the default: ensemble
    ner_pipeline and its steps, 2 GPUs), trtllm (a TensorRT-LLM ensemble), vllm (a vLLM
    model); or a YAML file of your own.

    The exposition is Triton's own (families, HELP text, labels, value format);
    counters grow at the workload's rates, so every panel has a known right value.
    With --http, Triton's HTTP API too, on its own port as on Triton (8000 beside 8002):
    the same models, with their configurations and each ensemble's steps.

    \b
    Example:
      triton-dashboards simulate --listen 127.0.0.1:8002 --http 127.0.0.1:8000
      triton-dashboards simulate trtllm --listen 127.0.0.1:9102
      triton-dashboards simulate my-workload.yaml --listen 127.0.0.1:9102 --pod triton-1
    """
    from triton_dashboards.simulator import WorkloadError

    try:
        loaded = _load(workload)
        if scale != 1.0:
            loaded = loaded.scaled(scale)
    except WorkloadError as e:
        fail(str(e))
    if http_listen is not None:
        _address(http_listen, "--http", 8000)  # a bad address fails before anything listens
    servers = [_start(loaded, listen, "--listen", pod, "metrics")]
    try:
        if http_listen is not None:
            servers.append(_start(loaded, http_listen, "--http", pod, "http"))
        name = workload if workload is not None else "the reference workload (ner_pipeline)"
        click.echo(f"serving {name} as pod {pod} at {servers[0].url} (Ctrl-C stops)")
        for api in servers[1:]:
            click.echo(f"serving Triton's HTTP API at {api.url}")
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        for server in servers:
            server.close()


COMMANDS = (simulate,)
