"""Searching funding events: a small, safe query language compiled to FTS5, plus filters.

User text never reaches SQL: every term becomes a quoted FTS5 string bound as a parameter, and every
filter value is a bound parameter too. The FTS index (`event_search_fts`, migration m002) folds case
and accents, so "levee" finds "levée".

Query language: words are ANDed; "quoted phrases"; `OR` between terms; `-word` excludes; `word*` is
a prefix (words of 3+ letters are prefixes anyway, so "startup" finds "startups"); parentheses group.
"""

from __future__ import annotations

import gc
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlite_utils import Database

SORTS = ("date", "amount", "relevance")
MAX_LIMIT = 10_000
_PREFIX_MIN_LEN = 3
_TOKEN_RE = re.compile(r'\s+|"[^"]*"?|\(|\)|[^\s"()]+')
_WORDCHAR_RE = re.compile(r"\w", re.UNICODE)
_CURRENCY_RE = re.compile(r"^[A-Za-z]{3}$")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}$")

EVENT_COLUMNS = ("id", "recipient", "amount", "currency", "amount_eur", "investors", "country", "region",
                 "region_code", "kind", "round", "period", "announced", "first_seen", "last_seen",
                 "n_sources", "langs")


class SearchError(ValueError):
    """A query or filter the user must fix; the message says what is wrong and how to write it."""


# --- query language ------------------------------------------------------------------------------


def _tokens(query: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN_RE.finditer(query):
        tok = m.group(0)
        if tok.isspace():
            continue
        if tok.startswith('"'):
            if len(tok) == 1 or not tok.endswith('"'):
                raise SearchError(f'unbalanced quote in {query!r}: close the phrase with a second "')
            out.append(("PHRASE", tok[1:-1]))
        elif tok in "()":
            out.append((tok, tok))
        elif tok == "OR":
            out.append(("OR", tok))
        else:
            out.append(("WORD", tok))
    return out


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class _Parser:
    """expr := and (OR and)* ; and := unary+ ; unary := ['-'] primary ; primary := WORD | PHRASE | (expr)"""

    def __init__(self, query: str):
        self.query = query
        self.toks = _tokens(query)
        self.i = 0

    def parse(self) -> str | None:
        if not self.toks:
            return None
        expr = self._expr()
        if self.i < len(self.toks):
            raise SearchError(f"unbalanced parenthesis in {self.query!r}: a ')' has no matching '('")
        return expr

    def _peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def _expr(self) -> str | None:
        parts = [self._and()]
        while self._peek() == "OR":
            self.i += 1
            if self._peek() in (None, "OR", ")"):
                raise SearchError(f"OR needs a term on each side in {self.query!r}")
            parts.append(self._and())
        kept = [p for p in parts if p]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else "(" + " OR ".join(kept) + ")"

    def _and(self) -> str | None:
        if self._peek() == ")":
            raise SearchError(f"unbalanced parenthesis in {self.query!r}: a ')' has no matching '('")
        if self._peek() in (None, "OR"):
            raise SearchError(f"OR needs a term on each side in {self.query!r}")
        include: list[str] = []
        exclude: list[str] = []
        while self._peek() not in (None, "OR", ")"):
            negate = False
            kind, text = self.toks[self.i]
            nxt = self.toks[self.i + 1][0] if self.i + 1 < len(self.toks) else None
            if kind == "WORD" and text == "-" and nxt in ("(", "PHRASE"):
                negate = True
                self.i += 1
            elif kind == "WORD" and text.startswith("-") and len(text) > 1:
                negate, text = True, text[1:]
                self.toks[self.i] = (kind, text)
            term = self._primary()
            if term:
                (exclude if negate else include).append(term)
        if exclude and not include:
            raise SearchError(f"{self.query!r} only excludes terms: add at least one word to look for")
        if not include:
            return None
        expr = include[0] if len(include) == 1 else "(" + " AND ".join(include) + ")"
        for term in exclude:
            expr = f"({expr} NOT {term})"
        return expr

    def _primary(self) -> str | None:
        kind, text = self.toks[self.i]
        self.i += 1
        if kind == "(":
            if self._peek() in (None, ")"):
                raise SearchError(f"empty or unbalanced parentheses in {self.query!r}")
            inner = self._expr()
            if self._peek() != ")":
                raise SearchError(f"unbalanced parenthesis in {self.query!r}: a '(' is never closed")
            self.i += 1
            return inner
        if kind == "PHRASE":
            return _quote(text) if _WORDCHAR_RE.search(text) else None
        # WORD: FTS syntax characters are just text here; only a trailing * keeps its prefix meaning.
        prefix = text.endswith("*")
        word = text.rstrip("*")
        if not _WORDCHAR_RE.search(word):
            return None
        letters = sum(1 for ch in word if ch.isalnum())
        return _quote(word) + ("*" if prefix or letters >= _PREFIX_MIN_LEN else "")


def fts_query(query: str | None) -> str | None:
    """The FTS5 MATCH expression for a user query, or None when it holds nothing to search for."""
    if query is None or not query.strip():
        return None
    return _Parser(query).parse()


# --- filters -------------------------------------------------------------------------------------


def fold(text: str | None) -> str | None:
    """Case- and accent-insensitive form, so "ile-de-france" equals "Île-de-France"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def _round_key(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", fold(value) or "")


def _iso_date(value: str | date | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise SearchError(f"--{name} must be a date written YYYY-MM-DD, not {value!r}") from None


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SearchError(f"--{name} must be a number, not {value!r}") from None
    if number != number or number < 0:
        raise SearchError(f"--{name} must be a positive number, not {value!r}")
    return number


def _country_code(db: Database, value: str) -> str:
    text = value.strip()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    row = db.execute(
        "SELECT code FROM country_names WHERE upper(alpha_3) = upper(?) OR name_en = ? COLLATE NOCASE "
        "OR name_fr = ? COLLATE NOCASE", [text, text, text],
    ).fetchone()
    if not row:
        raise SearchError(f"unknown country {value!r}: use an ISO code such as FR, BE or GB")
    return row[0]


def _spellings(db: Database, column: str, key, wanted: str) -> list[str]:
    """The stored spellings of `column` whose key equals `wanted`.

    Columns like region, kind and round hold few distinct values: folding those in Python once is much
    cheaper than calling a Python function on every row. `column` is always one of ours, never user input.
    """
    return [v for (v,) in db.execute(f"SELECT DISTINCT {column} FROM events WHERE {column} IS NOT NULL")
            if key(v) == wanted]


def _in(column: str, values: list[str]) -> str:
    """`column IN (?, ?, …)` with one bound parameter a value, so the planner can use the column's index."""
    return f"{column} IN ({', '.join('?' * len(values))})" if values else "0"


def _fts_hits(db: Database, match: str, cap: int) -> int:
    """How many events an FTS expression matches, counted no further than `cap` (cheap: doclists only)."""
    return db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM event_search_fts WHERE event_search_fts MATCH ? LIMIT ?)", [match, cap]
    ).fetchone()[0]


def _org_match(org: str) -> str:
    if not _WORDCHAR_RE.search(org):
        raise SearchError(f"--org needs a name, not {org!r}")
    return "{recipient organisations investors} : " + _quote(org.strip())


def build_where(
    db: Database, query: str | None = None, *, org: str | None = None, region: str | None = None,
    country: str | None = None, min_amount: float | None = None, max_amount: float | None = None,
    currency: str | None = None, kind: str | None = None, round: str | None = None, lang: str | None = None,
    since: str | date | None = None, until: str | date | None = None, ranked: bool = False,
    common_hits: int | None = None,
) -> tuple[list[str], list[Any]]:
    """WHERE clauses over `events e` (and the FTS table when a query is given, unless `ranked`: then the
    caller joins the ranked matches itself) with their parameters.

    With `common_hits`, a text clause matching at least that many events is written `+e.rowid IN (…)`:
    the planner then walks the index of the sort order (or of another filter) and stops at the limit,
    instead of fetching and sorting every match of a common word.
    """
    where: list[str] = []
    params: list[Any] = []

    def text_clause(expr: str) -> None:
        common = common_hits is not None and _fts_hits(db, expr, common_hits) >= common_hits
        where.append(f"{'+' if common else ''}e.rowid IN "
                     "(SELECT rowid FROM event_search_fts WHERE event_search_fts MATCH ?)")
        params.append(expr)

    match = fts_query(query)
    if match and not ranked:
        text_clause(match)
    if org is not None:
        text_clause(_org_match(org))
    if region is not None:
        # names and ISO 3166-2 codes both resolve to stored region names: one IN list the index can serve
        spellings = _spellings(db, "region", fold, fold(region)) + [
            r for (r,) in db.execute("SELECT region FROM events WHERE region_code = ? AND region IS NOT NULL "
                                     "GROUP BY +region", [region.strip().upper()])]
        spellings = sorted(set(spellings))
        where.append(_in("e.region", spellings))
        params += spellings
    if country is not None:
        code = _country_code(db, country)
        spellings = _spellings(db, "country", str.upper, code)
        where.append(_in("e.country", spellings))
        params += spellings
    if currency is not None:
        if not _CURRENCY_RE.match(currency.strip()):
            raise SearchError(f"--currency must be a 3-letter ISO 4217 code such as EUR or USD, not {currency!r}")
        where.append("upper(e.currency) = ?")
        params.append(currency.strip().upper())
    amount_col = "e.amount" if currency is not None else "e.amount_eur"
    low, high = _number(min_amount, "min-amount"), _number(max_amount, "max-amount")
    if low is not None and high is not None and low > high:
        raise SearchError(f"--min-amount ({low:g}) is larger than --max-amount ({high:g})")
    if low is not None:
        where.append(f"{amount_col} >= ?")
        params.append(low)
    if high is not None:
        where.append(f"{amount_col} <= ?")
        params.append(high)
    if kind is not None:
        spellings = _spellings(db, "kind", _round_key, _round_key(kind))
        where.append(_in("e.kind", spellings))
        params += spellings
    if round is not None:
        spellings = _spellings(db, "round", _round_key, _round_key(round))
        where.append(_in("e.round", spellings))
        params += spellings
    if lang is not None:
        if not _LANG_RE.match(lang.strip()):
            raise SearchError(f"--lang must be a language code such as fr or en, not {lang!r}")
        # events.langs (JSON list) is kept in sync with the mentions' articles by the writer
        where.append("e.langs LIKE ?")
        params.append(f'%"{lang.strip().lower()}"%')
    first, last = _iso_date(since, "since"), _iso_date(until, "until")
    if first and last and first > last:
        raise SearchError(f"--since ({first}) is after --until ({last})")
    if first:
        where.append("substr(coalesce(e.announced, e.first_seen), 1, 10) >= ?")
        params.append(first)
    if last:
        where.append("substr(coalesce(e.announced, e.first_seen), 1, 10) <= ?")
        params.append(last)
    return where, params


_ORDER = {
    "date": "substr(coalesce(e.announced, e.first_seen), 1, 10) DESC, e.amount_eur IS NULL, e.amount_eur DESC, e.id",
    "amount": "{amount} IS NULL, {amount} DESC, coalesce(e.announced, e.first_seen) DESC, e.id",
}

# Relevance (bm25) is computed by FTS5 for every match it ranks: ~3 µs each. A word found in a fifth of
# 100 000 events would cost 60 ms, so only the most recently recorded matches are ranked (see --help).
RELEVANCE_WINDOW = 5_000


def _common_threshold(db: Database, limit: int) -> int:
    """Matches above which walking the sort index beats fetching and sorting every match.

    Fetching costs each match; walking costs about limit × events / matches index entries, so the two
    meet near sqrt(limit × events / 2) (measured in BENCHMARKS.md).
    """
    events = db.execute("SELECT max(rowid) FROM events").fetchone()[0] or 0
    return max(1_000, int((limit * events / 2) ** 0.5))


def search_events(
    db: Database, query: str | None = None, *, org: str | None = None, region: str | None = None,
    country: str | None = None, min_amount: float | None = None, max_amount: float | None = None,
    currency: str | None = None, kind: str | None = None, round: str | None = None, lang: str | None = None,
    since: str | date | None = None, until: str | date | None = None, sort: str = "date", limit: int = 50,
) -> list[dict[str, Any]]:
    """Events matching every given filter, each with investors, sources and evidence.

    Amounts compare in EUR (`amount_eur`) unless `currency` is given, then in that original currency.
    `sort="relevance"` ranks the most recently recorded matches of the query (RELEVANCE_WINDOW of them,
    or `limit` if larger), or all of them when the filters leave fewer than `limit` events there.
    Raises SearchError for a malformed query or filter, never sqlite3 errors.
    """
    if sort not in SORTS:
        raise SearchError(f"--sort must be one of {', '.join(SORTS)}, not {sort!r}")
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise SearchError(f"--limit must be a whole number, not {limit!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if not db["event_search_fts"].exists():
        raise SearchError("this database has no search index yet: run `fundwatch process` (or any command "
                          "that writes) once with this fundwatch to upgrade it")
    match = fts_query(query)
    ranked = sort == "relevance" and bool(match)
    if ranked and org is not None:
        # FTS5 intersects the two before ranking: only events of that organisation are scored
        match, org = f"({match}) AND ({_org_match(org)})", None
    # the sort order has an index to walk (date, or amount in EUR): common words may use it
    walkable = not ranked and (sort != "amount" or currency is None)
    where, params = build_where(
        db, query, org=org, region=region, country=country, min_amount=min_amount, max_amount=max_amount,
        currency=currency, kind=kind, round=round, lang=lang, since=since, until=until, ranked=ranked,
        common_hits=_common_threshold(db, limit) if walkable else None,
    )
    columns = ", ".join("e." + c for c in EVENT_COLUMNS)
    if ranked:
        return _ranked(db, match, where, params, limit, columns)
    key = "date" if sort == "relevance" else sort
    order = _ORDER[key].format(amount="e.amount" if currency else "e.amount_eur")
    sql = f"SELECT {columns} FROM events e"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT ?"
    return fetch_events(db, sql, [*params, limit])


def _ranked(db: Database, match: str, where: list[str], params: list[Any], limit: int,
            columns: str) -> list[dict[str, Any]]:
    """Events in bm25 order: the ranked FTS5 matches are joined once, never ranked once per event."""
    floor = db.execute(
        "SELECT rowid FROM event_search_fts WHERE event_search_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        [match, max(RELEVANCE_WINDOW, limit) - 1],
    ).fetchone()
    lowest = floor[0] if floor else None
    if lowest is not None and where:
        # will the filters leave a full page among the window's matches? (cheap: no ranking)
        in_window = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM events e WHERE e.rowid >= ? AND e.rowid IN (SELECT rowid FROM "
            f"event_search_fts WHERE event_search_fts MATCH ? AND rowid >= ?) AND {' AND '.join(where)} LIMIT ?)",
            [lowest, match, lowest, *params, limit],
        ).fetchone()[0]
        if in_window < limit:
            lowest = None  # rank every match: the page needs older ones
    window = " AND rowid >= ?" if lowest is not None else ""
    # with no other filter FTS5 can stop at the limit
    top = "" if where else " ORDER BY rank LIMIT ?"
    filters = (" WHERE " + " AND ".join(where)) if where else ""
    sql = (f"SELECT {columns} FROM events e JOIN (SELECT rowid AS rid, rank AS score FROM event_search_fts "
           f"WHERE event_search_fts MATCH ?{window}{top}) f ON f.rid = e.rowid{filters} "
           "ORDER BY f.score, e.id LIMIT ?")
    sub = [match] + ([lowest] if lowest is not None else []) + ([limit] if top else [])
    return fetch_events(db, sql, [*sub, *params, limit])


def fetch_events(db: Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Run an events SELECT and attach investors, organisations, sources and evidence to each row."""
    import sqlite3

    with _gc_paused():
        try:
            cursor = db.conn.execute(sql, list(params))
            cols = [c[0] for c in cursor.description]
            rows = [dict(zip(cols, values, strict=True)) for values in cursor.fetchall()]
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc).lower() or "match" in str(exc).lower():
                raise SearchError(f"the search index could not read this query: {exc}") from None
            raise
        if rows:
            _attach_details(db, rows)
    return rows


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A page of events is thousands of short acyclic containers; letting them trigger Python's cyclic
    collector made one search in five ~20 ms slower (a full pass over every object of the process).
    Reference counting still frees them; the collector runs as usual once the page is built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v]
    text = str(value).strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [str(v) for v in items if v]
    return [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]


def _attach_details(db: Database, rows: list[dict[str, Any]]) -> None:
    # one query per kind of detail for the whole page; plain sqlite3 cursors: a 500-event page is
    # thousands of rows, and per-row overhead is most of its time
    ids = json.dumps([r["id"] for r in rows])
    sources: dict[str, dict[int, dict[str, Any]]] = {}
    evidence: dict[str, dict[str, None]] = {}
    for event_id, article_id, url, title, lang, published, ev in db.conn.execute(
        """SELECT m.event_id, a.id, coalesce(a.canonical_url, a.url), a.title, a.lang, a.published, m.evidence
           FROM event_mentions m JOIN articles a ON a.id = m.article_id
           WHERE m.event_id IN (SELECT value FROM json_each(?))
           ORDER BY m.event_id, coalesce(a.published, a.fetched_at), a.id, m.start""",
        [ids],
    ):
        seen = sources.setdefault(event_id, {})
        if article_id not in seen:
            seen[article_id] = {"url": url, "title": title, "lang": lang, "published": published}
        if ev:
            evidence.setdefault(event_id, {})[ev] = None
    orgs: dict[str, list[dict[str, Any]]] = {}
    for event_id, name, role, org_country in db.conn.execute(
        """SELECT eo.event_id, o.name, eo.role, o.country FROM event_organisations eo
           JOIN organisations o ON o.id = eo.org_id
           WHERE eo.event_id IN (SELECT value FROM json_each(?)) ORDER BY eo.event_id, eo.role, o.name""",
        [ids],
    ):
        orgs.setdefault(event_id, []).append({"name": name, "role": role, "country": org_country})
    for row in rows:
        eid = row["id"]
        event_orgs = orgs.get(eid, [])
        event_sources = list(sources.get(eid, {}).values())
        investors = _parse_list(row.get("investors"))
        if not investors:
            investors = [o["name"] for o in event_orgs if "invest" in (o["role"] or "")]
        row["investors"] = investors
        row["langs"] = _parse_list(row.get("langs")) or sorted({s["lang"] for s in event_sources if s["lang"]})
        row["organisations"] = event_orgs
        row["sources"] = event_sources
        row["evidences"] = list(evidence.get(eid, ()))
        row["evidence"] = row["evidences"][0] if row["evidences"] else None


def refresh_search_index(db: Database, event_ids: Iterable[str] | None = None) -> int:
    """Rebuild the search rows of some events (or all of them); triggers normally keep them current.

    For bulk loads that bypassed the triggers, or to repair an index; returns the rows written.
    """
    cols = ("event_rowid, event_id, recipient, organisations, investors, place, kind, evidence, titles, "
            "langs")
    with db.atomic():
        if event_ids is None:
            db.execute("DELETE FROM event_search")
            cursor = db.execute(f"INSERT INTO event_search ({cols}) SELECT {cols} FROM event_search_source")
            count = cursor.rowcount
            db["event_search"].rebuild_fts()
            return count
        ids = json.dumps(list(event_ids))
        db.execute("DELETE FROM event_search WHERE event_id IN (SELECT value FROM json_each(?))", [ids])
        cursor = db.execute(
            f"INSERT INTO event_search ({cols}) SELECT {cols} FROM event_search_source "
            "WHERE event_id IN (SELECT value FROM json_each(?))", [ids],
        )
        return cursor.rowcount
