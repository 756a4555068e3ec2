"""Publishing rendered dashboard JSON to Grafana: the HTTP client and its errors, local
files, folders, a pure plan and the apply that writes it, diff and pull.

Works on JSON only, so it publishes any dashboard, ours or not.
"""
