"""``simulate``: a Triton metrics endpoint with a known workload, for demos and tests."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import click

from triton_dashboards.cli.common import fail


def _address(listen: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[V6]:PORT`` or a bare ``PORT`` (on 127.0.0.1)."""
    host, sep, port = listen.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", listen
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        fail(f"--listen {listen!r} is not HOST:PORT; write e.g. 127.0.0.1:8002")
    return host, int(port)


@click.command()
@click.argument("workload", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--listen",
    default="127.0.0.1:8002",
    show_default=True,
    metavar="HOST:PORT",
    help="Address to serve /metrics on (port 0 picks a free one).",
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
def simulate(workload: Path | None, listen: str, pod: str, scale: float) -> None:
    """Serve Triton's /metrics for WORKLOAD until Ctrl-C.

    The exposition is Triton's own (families, HELP text, labels, value format);
    counters grow at the workload's rates, so every panel has a known right value.
    Without WORKLOAD: the reference deployment (ner_pipeline and its steps, 2 GPUs).

    \b
    Example:
      triton-dashboards simulate --listen 127.0.0.1:8002 --pod triton-0
      triton-dashboards simulate my-workload.yaml --listen 127.0.0.1:9102 --pod triton-1
    """
    from triton_dashboards.simulator import Server, Workload, WorkloadError

    host, port = _address(listen)
    try:
        loaded = Workload.load(workload) if workload is not None else Workload.default()
        if scale != 1.0:
            loaded = loaded.scaled(scale)
    except WorkloadError as e:
        fail(str(e))
    try:
        server = Server(loaded, host=host, port=port, pod=pod)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            fail(
                f"cannot listen on {listen}: the port is in use; stop what holds it"
                " or pick another with --listen"
            )
        fail(f"cannot listen on {listen}: {e.strerror or e}; check --listen")
    try:
        name = workload if workload is not None else "the reference workload (ner_pipeline)"
        click.echo(f"serving {name} as pod {pod} at {server.url} (Ctrl-C stops)")
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.close()


COMMANDS = (simulate,)
