"""Publication dates as people read them on the page: "Pubblicato il 3 luglio 2025, 10:30".

Read only when the page's structured signals said nothing (see rassegna.extraction.dates).
A date led by a publication word wins; one led by an update word ("Aggiornato il",
"Updated") is never the publication date. Without a leading word, a date counts only
where bylines live: a <time> element, an element whose class, id or itemprop names a
date or a byline, or the few lines right after the headline. Relative dates ("2 ore fa",
"ieri") are read against the fetch time and keep the precision they have ('hour' or 'day').
Italian and English first; French, German, Spanish and Portuguese words too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


ROME = ZoneInfo("Europe/Rome")

_MONTH_WORDS = {
    1: "gennaio gen genn january jan janvier janv januar jän jänner enero ene janeiro",
    2: "febbraio feb febbr february febr février févr fevrier februar febrero fevereiro",
    3: "marzo mar march mars märz maerz março marco",
    4: "aprile apr april avril avr abril",
    5: "maggio mag may mai mayo maio",
    6: "giugno giu giug june jun juin juni junio junho",
    7: "luglio lug july jul juillet juil juli julio julho",
    8: "agosto ago august aug août aout",
    9: "settembre set sett september sep sept septembre septiembre setiembre setembro",
    10: "ottobre ott october oct octobre oktober okt octubre outubro",
    11: "novembre nov november noviembre",
    12: "dicembre dic december dec décembre déc dezember dez diciembre dezembro",
}
_MONTHS = {word: number for number, words in _MONTH_WORDS.items() for word in words.split()}
_MONTH = "(?P<month>" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\.?"
_TIME = r"(?:\s*(?:,|alle(?:\s+ore)?|ore|at|às|à|um|a\s+las|-|–|·|\|)?\s*(?P<hour>[012]?\d)[:.h](?P<minute>[0-5]\d)(?:\s*(?P<ampm>[ap]\.?m\.?))?(?!\d))?"
_DAY = r"(?P<day>[0-3]?\d)(?:º|°|st|nd|rd|th|\.)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_FORMS = [
    # 3 luglio 2025, 3 lug. 2025, 3. Juli 2025, 3 de julio de 2025
    rf"(?<!\d){_DAY}\s+(?:de\s+)?{_MONTH}\s+(?:de\s+|del\s+)?{_YEAR}{_TIME}",
    # July 3, 2025
    rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}{_TIME}",
    # 03/07/2025, 03.07.2025, 3-7-25
    r"(?<![\d/.-])(?P<a>[0-3]?\d)[/.-](?P<b>[01]?\d)[/.-](?P<year>(?:19|20)\d\d|\d\d)(?![\d/.-]\d)" + _TIME,
    # 2025-07-03
    rf"(?<!\d){_YEAR}-(?P<b>[01]\d)-(?P<a>[0-3]\d)(?!\d){_TIME}",
]
_DATES = [re.compile(form, re.I) for form in _DATE_FORMS]

_PUBLISHED = re.compile(
    r"(?:pubblicat[oa]|pubblicazione|data\s+di\s+pubblicazione|published|first\s+published|posted|"
    r"publié|publie|mis\s+en\s+ligne|veröffentlicht|erschienen|publiziert|publicad[oa]|publicación)"
    r"(?:\s+(?:il|in\s+data|on|le|am|el|el\s+día|:))?\s*:?\s*$",
    re.I,
)
_UPDATED = re.compile(
    r"(?:aggiornat[oa]|aggiornamento|ultima\s+modifica|modificat[oa]|updated|last\s+updated|modified|"
    r"mis\s+à\s+jour|mise\s+à\s+jour|modifié|actualisé|aktualisiert|geändert|stand|actualizad[oa]|actualización)"
    r"(?:\s+(?:il|alle|on|le|am|el|:))?\s*:?\s*$",
    re.I,
)
# Relative dates: a number of minutes, hours or days ago, and yesterday/today.
_RELATIVE = re.compile(
    r"(?:(?P<n1>\d{1,2}|un[ao]?|an?|one)\s+(?P<unit1>minut[oi]|min|or[ae]|giorn[oi]|minutes?|mins?|hours?|hrs?|days?)\s+(?:fa|ago)"
    r"|(?:il\s+y\s+a|vor|hace)\s+(?P<n2>\d{1,2}|une?|einer?|einem|un[ao]?)\s+(?P<unit2>minutes?|heures?|jours?|minuten?|stunden?|tag(?:en)?|minutos?|horas?|días?|dias?))"
    r"|(?P<word>\bieri\b|\boggi\b|\byesterday\b|\btoday\b|\bhier\b|\baujourd'hui\b|\bgestern\b|\bheute\b|\bayer\b|\bhoy\b)"
    + _TIME,
    re.I,
)
_UNITS = {"min": "minutes", "hou": "hours", "hrs": "hours", "hr": "hours", "ora": "hours", "ore": "hours",
          "heu": "hours", "stu": "hours", "hor": "hours", "gio": "days", "day": "days", "jou": "days",
          "tag": "days", "día": "days", "dia": "days"}
_YESTERDAY = {"ieri", "yesterday", "hier", "gestern", "ayer"}

_INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "textarea", "select", "option"}
_MAX_TEXT = 300_000
# The headline's neighbourhood: a byline sits within a few lines of it.
_AFTER_HEADLINE = 400
_BYLINE_ELEMENT_MAX = 200


@dataclass(frozen=True)
class Byline:
    value: str  # ISO 8601: a date for 'day', an Italian time with its offset for 'time' and 'hour'
    precision: str  # 'time' | 'day' | 'hour'
    how: str  # 'published' (a publication word led it), 'byline' (its place on the page), 'relative'


# Readers' comments, related-story boxes, menus and footers carry dates of their own
# ("2 giorni fa" under a comment): none of them is the article's byline.
_FURNITURE_TAGS = frozenset({"nav", "footer", "aside"})
# Matched on class; on id only comment/respond (themes name their main column id="sidebar").
_FURNITURE_CLASSES = re.compile(r"[cC]omment|related|correlat|sidebar|reply")
_FURNITURE_IDS = re.compile(r"comment|respond")
# Where bylines live: <time>, or an element named for a date or a byline.
_BYLINE_NAMES = re.compile(r"date|byline|publish|posted|meta|data|time", re.I)


@dataclass
class _Page:
    text: str
    h1_end: int | None
    byline_elements: list


def _read_page(root) -> _Page:
    """One walk over the body: the visible text (furniture left out), where the first
    <h1> ends in it, and the elements where a byline may sit, in document order."""
    parts: list[str] = []
    elements: list = []
    h1_end: int | None = None
    size = 0

    def add(text: str | None) -> None:
        nonlocal size
        if text:
            parts.append(text)
            size += len(text) + 1

    body = root.find(".//body")
    stack = [(body if body is not None else root, False)]
    while stack and size <= _MAX_TEXT:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else None
        if closing:
            if tag == "h1" and h1_end is None:
                h1_end = size
            add(element.tail)
            continue
        css, ident = (element.get("class") or "", element.get("id") or "") if tag else ("", "")
        if (
            tag is None
            or tag in _INVISIBLE
            or tag in _FURNITURE_TAGS
            or _FURNITURE_CLASSES.search(css)
            or _FURNITURE_IDS.search(ident)
        ):
            # The subtree is skipped; its tail belongs to the parent and is visible.
            add(element.tail)
            continue
        if tag == "time" or _BYLINE_NAMES.search(f"{css} {ident} {element.get('itemprop', '')}"):
            elements.append(element)
        add(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    # Offsets are counted on the joined text before spaces are squeezed: squeeze after
    # taking the headline's end, by squeezing the two halves apart.
    joined = " ".join(parts)
    if h1_end is None:
        return _Page(re.sub(r"\s+", " ", joined), None, elements)
    head = re.sub(r"\s+", " ", joined[:h1_end])
    return _Page(head + re.sub(r"\s+", " ", joined[h1_end:]), len(head), elements)


def _to_datetime(match: re.Match, english_us: bool) -> tuple[datetime, bool] | None:
    g = match.groupdict()
    try:
        if g.get("month"):
            month = _MONTHS[g["month"].lower().rstrip(".")]
            day, year = int(g["day"]), int(g["year"])
        else:
            a, b, year = int(g["a"]), int(g["b"]), int(g["year"])
            if year < 100:
                year += 2000
            day, month = (b, a) if english_us and a <= 12 else (a, b)
            if month > 12 and day <= 12:
                day, month = month, day
        hour = int(g["hour"]) if g.get("hour") else None
        minute = int(g["minute"]) if g.get("minute") else 0
        if hour is not None and g.get("ampm"):
            pm = g["ampm"].lower().startswith("p")
            hour = hour % 12 + (12 if pm else 0)
        when = datetime(year, month, day, hour or 0, minute)
    except (KeyError, ValueError, TypeError):
        return None
    return when, hour is not None and hour <= 23


def _as_byline(when: datetime, has_time: bool, how: str) -> Byline:
    if has_time:
        return Byline(when.replace(tzinfo=ROME).isoformat(), "time", how)
    return Byline(when.date().isoformat(), "day", how)


def _dates_in(text: str, english_us: bool) -> list[tuple[int, int, datetime, bool]]:
    found = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            parsed = _to_datetime(match, english_us)
            if parsed:
                found.append((match.start(), match.end(), *parsed))
    # One date read by two forms ("3.7.2025" and a day-month form) counts once: the earlier, longer.
    found.sort(key=lambda f: (f[0], -f[1]))
    kept: list[tuple[int, int, datetime, bool]] = []
    for item in found:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _relative(text: str, fetched_at: datetime | None) -> Byline | None:
    if fetched_at is None:
        return None
    match = _RELATIVE.search(text)
    if match is None:
        return None
    g = match.groupdict()
    fetched = fetched_at.replace(tzinfo=timezone.utc) if fetched_at.tzinfo is None else fetched_at
    if g.get("word"):
        day = fetched.astimezone(ROME).date() - timedelta(days=1 if g["word"].lower() in _YESTERDAY else 0)
        if g.get("hour"):
            when = datetime(day.year, day.month, day.day, int(g["hour"]) % 24, int(g["minute"]), tzinfo=ROME)
            return Byline(when.isoformat(), "time", "relative")
        return Byline(day.isoformat(), "day", "relative")
    number = g.get("n1") or g.get("n2") or "1"
    n = int(number) if number.isdigit() else 1
    unit = _UNITS.get((g.get("unit1") or g.get("unit2") or "")[:3].lower())
    if unit is None:
        return None
    when = fetched - timedelta(**{unit: n})
    if unit == "days":
        return Byline(when.astimezone(ROME).date().isoformat(), "day", "relative")
    return Byline(when.astimezone(ROME).replace(second=0, microsecond=0).isoformat(), "hour", "relative")


def _lead(text: str, start: int) -> str:
    return text[max(0, start - 60) : start]


def read_byline(root, lang: str | None = None, fetched_at: datetime | None = None) -> tuple[Byline | None, list[Byline]]:
    """The publication date a reader sees on the page, and the update dates shown beside it."""
    lang = (lang or "").lower().replace("_", "-")
    english_us = lang.startswith("en") and lang[3:5] not in ("gb", "ie", "au", "nz", "in", "za")
    page = _read_page(root)
    text, h1_end = page.text, page.h1_end
    updates: list[Byline] = []
    published: Byline | None = None
    for start, _end, when, has_time in _dates_in(text, english_us):
        lead = _lead(text, start)
        if _UPDATED.search(lead):
            updates.append(_as_byline(when, has_time, "updated"))
        elif published is None and _PUBLISHED.search(lead):
            published = _as_byline(when, has_time, "published")
    if published is not None:
        return published, updates
    # A publication word followed by a relative date: "Pubblicato 2 ore fa".
    for match in re.finditer(r"(?:pubblicat[oa]|published|posted|publié|veröffentlicht|publicad[oa])\s+(?:il\s+|on\s+|le\s+|am\s+|el\s+)?", text, re.I):
        relative = _relative(text[match.end() : match.end() + 40], fetched_at)
        if relative is not None and _RELATIVE.match(text[match.end() : match.end() + 40]):
            return relative, updates
    # Without a leading word: a date where bylines live.
    for element in page.byline_elements:
        own = re.sub(r"\s+", " ", " ".join(element.itertext())).strip()
        if not own or len(own) > _BYLINE_ELEMENT_MAX:
            continue
        for start, _end, when, has_time in _dates_in(own, english_us):
            if not _UPDATED.search(_lead(own, start)):
                return _as_byline(when, has_time, "byline"), updates
        relative = _relative(own, fetched_at)
        if relative is not None and len(own) <= 60:
            return relative, updates
    if h1_end is not None:
        window = text[h1_end : h1_end + _AFTER_HEADLINE]
        for start, _end, when, has_time in _dates_in(window, english_us):
            if not _UPDATED.search(_lead(window, start)):
                return _as_byline(when, has_time, "byline"), updates
    return None, updates
