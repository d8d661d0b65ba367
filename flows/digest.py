"""Rendering the newsletter digest: Markdown and email-safe HTML through Jinja2, JSON and CSV.

Everything that came from articles is escaped (autoescape on for every template); links are kept
only for http(s) URLs; the HTML chart is inline SVG computed here, so the file stands alone in an email.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlite_utils import Database

from db.digest import digest_data

FORMATS = ("md", "html", "json", "csv")
TEMPLATES = Path(__file__).parent / "templates"
CSV_COLUMNS = ["announced", "recipient", "amount", "currency", "amount_eur", "country", "region", "kind",
               "round", "investors", "evidence", "source_urls", "source_titles"]
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()|~])")


def money(amount: float | None, currency: str | None = "EUR") -> str:
    """Short newsletter form: 20 M EUR, 1.25 bn USD, 450 k GBP."""
    if amount is None:
        return "undisclosed"
    for scale, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(amount) >= scale:
            return f"{amount / scale:.3g}{suffix} {currency or ''}".rstrip()
    return f"{amount:,.0f} {currency or ''}".rstrip()


def safe_url(url: str | None) -> str | None:
    """Only web links survive: no javascript:, data: or relative URLs from scraped pages."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")


def md_text(value: Any) -> Markup:
    """Article text for Markdown: on one line, Markdown syntax backslash-escaped, HTML tags as entities.

    Marked safe afterwards so quotes stay readable in the raw file (they cannot open a tag or a link).
    """
    flat = _MD_SPECIAL.sub(r"\\\1", " ".join(str(value or "").split()))
    return Markup(html.escape(flat, quote=False))


def host(url: str | None) -> str:
    return urlsplit(url or "").netloc.removeprefix("www.")


def chart_bars(series: list[dict[str, Any]], width: int = 600, bar_height: int = 22, gap: int = 8,
               label_width: int = 150, value_width: int = 90, max_bars: int = 12) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (SVG user units) for the template to draw."""
    rows = [r for r in series if r["total_eur"] > 0][:max_bars]
    top = max((r["total_eur"] for r in rows), default=0) or 1
    span = width - label_width - value_width
    bars = []
    for i, row in enumerate(rows):
        y = 10 + i * (bar_height + gap)
        w = max(2.0, round(span * row["total_eur"] / top, 1))
        bars.append({"label": row["label"], "value": money(row["total_eur"], "EUR"), "x": label_width,
                     "y": y, "w": w, "h": bar_height, "text_y": y + bar_height * 0.7,
                     "value_x": label_width + w + 6})
    return {"width": width, "height": 20 + len(bars) * (bar_height + gap), "bars": bars,
            "label_x": label_width - 8}


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(money=money, safe_url=safe_url, md=md_text, host=host)
    return env


def _csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection from scraped titles)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(data: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for ev in data["events"]:
        row = {k: ev.get(k) for k in CSV_COLUMNS}
        row["investors"] = "; ".join(ev["investors"])
        row["source_urls"] = " ".join(s["url"] or "" for s in ev["sources"])
        row["source_titles"] = " | ".join(s["title"] or "" for s in ev["sources"])
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def render_digest(
    db: Database, *, since: str | date | None = None, until: str | date | None = None, period: str = "week",
    fmt: str = "md", new_since: str | None = None, group_by: str = "country", today: date | None = None,
) -> str:
    """The digest of the events announced in the period (or first seen since `new_since`), as text."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown digest format {fmt!r}; use one of {', '.join(FORMATS)}")
    data = digest_data(db, since=since, until=until, period=period, group_by=group_by, new_since=new_since,
                       today=today)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "csv":
        return _csv(data)
    chart = data["chart"]
    by_country = len(chart["by_country"]) > 1 or len(chart["by_week"]) <= 1
    series = chart["by_country"] if by_country else chart["by_week"]
    context = {**data, "chart_title": "Amounts by country (EUR)" if by_country else "Amounts by week (EUR)",
               "bars": chart_bars(series)}
    return _env().get_template(f"digest.{fmt}.j2").render(**context)


def write_digest_file(text: str, target: str | Path) -> Path:
    """Write a digest through a temporary file and a rename, so readers never see half a file."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
