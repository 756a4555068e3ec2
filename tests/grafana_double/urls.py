"""Grafana's slugs and the UI URLs its answers carry (below the sub-path, when there is one)."""

from __future__ import annotations

import base64
import unicodedata

from .state import Dashboard, Folder


def slugify(title: str) -> str:
    """Grafana's slug: lower-case ASCII letters and digits, anything else one dash.

    When nothing is left, base64url of the title (Grafana API §2), so the URL still names it.
    """
    out: list[str] = []
    dash = False
    for char in unicodedata.normalize("NFKD", title.strip().lower()):
        if unicodedata.combining(char):
            continue
        word = {"&": "and", "@": "at"}.get(char)
        if word or ("a" <= char <= "z") or ("0" <= char <= "9"):
            out.append(word or char)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    slug = "".join(out).strip("-")
    if slug:
        return slug
    return base64.urlsafe_b64encode(title.encode("utf-8")).decode("ascii").rstrip("=")


def dashboard_url(sub_path: str, dash: Dashboard) -> str:
    return f"{sub_path}/d/{dash.uid}/{slugify(dash.title)}"


def folder_url(sub_path: str, folder: Folder) -> str:
    return f"{sub_path}/dashboards/f/{folder.uid}/{slugify(folder.title)}"
