"""``python -m triton_dashboards`` is the ``triton-dashboards`` command."""

from triton_dashboards.cli import main

main()
