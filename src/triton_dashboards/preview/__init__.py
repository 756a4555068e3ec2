"""Pages and pictures of dashboards drawn from what their queries return, without Grafana.

``triton-dashboards preview`` runs each dashboard's queries through the inspect engine (as
Grafana would: variables resolved, intervals computed) and writes one self-contained HTML
page per dashboard, laid out on the dashboard's own grid and drawn as Grafana draws its
panels (time series with uPlot, stat, gauge, bar gauge, table, text), and with ``--png`` a
picture of it taken by headless Chromium. ``--demo`` draws from a private Prometheus
backfilled with an hour of the simulator's known workloads.

Modules: :mod:`.units` (Grafana's value formats), :mod:`.colors`, :mod:`.frames` (series
names, reducers, table transformations), :mod:`.views` (what each panel shows),
:mod:`.links`, :mod:`.markdown`, :mod:`.page` (grid and HTML), :mod:`.draw` (an engine run
to a page), :mod:`.pages` (files in, pages and pictures out), :mod:`.chromium`,
:mod:`.backfill`, :mod:`.server` and :mod:`.demo` (the demo Prometheus).
"""
