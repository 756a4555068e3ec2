"""The Prometheus side: the Triton target, scrape configs, ServiceMonitor and PodMonitor,
ConfigMaps for the Grafana sidecar, alerting and recording rules.
"""
