"""A watchlist from a company list: one CSV row per company (name, town, sector, people).

The programme has 650+ companies; nobody writes context for each. The evidence model needs
none: a row already says who the company is (its people), what it does (sector words) and
where (town, province, region), and the name itself says how ambiguous it is:

- a name of one word is case-sensitive and needs evidence (it may be a word or a surname);
- a name that is the surname of one of its people ("Malvestio" of Marino Malvestio) is also
  person-like: after a first name or a title it is the person;
- its legal forms ("Galdi Srl", "Gruppo Galdi") are distinctive and need none;
- a name of several words needs evidence only when the row says so (`ambiguous`).

Columns (header row required; lists are separated by ";"):
  name (required), town, province, region, sector, people, products, aliases, namesakes,
  ambiguous (yes/no), description
A namesake is written "what it is: word, word" ("the Galdi hotel: albergo, hotel, Cortina").
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rassegna.config import ConfigError, Entity
from rassegna.files import write_atomically

COLUMNS = (
    "name", "town", "province", "region", "sector", "people", "products", "aliases", "namesakes", "ambiguous",
    "description",
)
LEGAL_FORMS = ("Srl", "S.r.l.", "Spa", "S.p.A.")


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _items(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _namesake(text: str, where: str) -> dict[str, Any]:
    name, sep, terms = text.partition(":")
    words = [t.strip() for t in terms.split(",") if t.strip()]
    if not sep or not name.strip() or not words:
        raise ConfigError(f"{where}.namesakes: {text!r} is not 'what it is: word, word'")
    return {"name": name.strip(), "terms": words}


def entity_from_row(row: dict[str, str], where: str) -> dict[str, Any]:
    """One watchlist entity (as YAML data) from one CSV row; ``where`` names the row in errors."""
    name = (row.get("name") or "").strip()
    if not name:
        raise ConfigError(f"{where}.name: a company needs a name")
    people = _items(row.get("people"))
    ambiguous_flag = (row.get("ambiguous") or "").strip().lower()
    if ambiguous_flag not in ("", "yes", "no", "true", "false"):
        raise ConfigError(f"{where}.ambiguous: {ambiguous_flag!r} is not yes or no")
    one_word = len(name.split()) == 1
    surnames = {p.split()[-1].lower() for p in people if len(p.split()) > 1}
    ambiguous = one_word or ambiguous_flag in ("yes", "true")
    if ambiguous_flag in ("no", "false"):
        ambiguous = False
    aliases: list[dict[str, Any]] = [
        {"text": name, "case_sensitive": one_word, "person_like": name.lower() in surnames}
    ]
    if ambiguous:
        # Legal forms and the group name are how the press writes a company, never a person.
        aliases += [{"text": f"{name} {form}", "requires_context": False} for form in LEGAL_FORMS]
        aliases.append({"text": f"Gruppo {name}", "requires_context": False})
    aliases += [{"text": a} for a in _items(row.get("aliases"))]
    places = [p for p in (row.get(k, "").strip() for k in ("town", "province", "region")) if p]
    return {
        "id": _slug(name),
        "name": name,
        "kind": "company",
        "description": (row.get("description") or "").strip(),
        "aliases": aliases,
        "requires_context": ambiguous,
        "people": people,
        "products": _items(row.get("products")),
        "sector": _items(row.get("sector")),
        "places": list(dict.fromkeys(places)),
        "namesakes": [_namesake(n, where) for n in _items(row.get("namesakes"))],
    }


def watchlist_from_csv(path: Path) -> list[dict[str, Any]]:
    """The entities of a company list, each validated as the watchlist validates it."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS))
            if not reader.fieldnames or "name" not in reader.fieldnames:
                raise ConfigError(f"{path}: the header row must name the columns, with at least 'name'")
            if unknown:
                raise ConfigError(f"{path}: unknown columns {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
            rows = list(reader)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: not a UTF-8 CSV file: {exc}") from None
    entities: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path}: line {number} ({(row.get('name') or '').strip() or 'no name'})"
        entity = entity_from_row(row, where)
        if entity["id"] in seen:
            raise ConfigError(f"{where}.name: same company as line {seen[entity['id']]}")
        seen[entity["id"]] = number
        try:
            Entity.model_validate(entity)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{where}.{field}: {first['msg']}") from None
        entities.append(entity)
    if not entities:
        raise ConfigError(f"{path}: no companies")
    return entities


def write_watchlist(entities: list[dict[str, Any]], base: dict[str, Any], out: Path) -> None:
    """The base watchlist's programmes and shared terms, then the listed companies."""
    programmes = [e for e in base.get("entities", []) if e.get("kind") == "programme"]
    data = {key: value for key, value in base.items() if key != "entities"}
    data["entities"] = programmes + entities
    text = (
        "# Generated by `rassegna import-companies` from a company list: edit the list, not this file.\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, text.encode("utf-8"))
