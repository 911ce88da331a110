"""Validated configuration: the sources to watch and the watchlist of entities.

Both files are read once, at the edge (CLI or flow parameters), and passed down
as these models; nothing deeper reads a file or a global. A bad file fails here,
before any network work, with a message naming the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rassegna.queries import QueryError, gdelt_queries, parse_query

SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"

# Where a checkout keeps its configuration and its warehouse, relative to the working directory.
DEFAULT_SOURCES = Path("config/sources.yaml")
DEFAULT_WATCHLIST = Path("config/watchlist.yaml")
DEFAULT_DB = Path("data/rassegna.duckdb")
DEFAULT_DIGEST = Path("config/digest.yaml")


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or invalid; the message says where."""


class _Strict(BaseModel):
    # Unknown keys are typos until proven otherwise: a misspelt `max_depht` must not be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


class CrawlSettings(_Strict):
    user_agent: str = Field(
        "Rassegna/0.1 (press monitoring; +https://github.com/rassegna/rassegna)", min_length=3
    )
    download_delay: float = Field(1.0, ge=0, description="seconds between requests to one host")
    concurrent_requests_per_domain: int = Field(2, ge=1, le=16)
    timeout: float = Field(30.0, gt=0, description="seconds per request")
    retries: int = Field(3, ge=0, le=10)
    retry_after_max: float = Field(120.0, ge=0, description="longest Retry-After honoured, seconds")
    max_response_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_pages_per_source: int = Field(1000, ge=1)


# Search engines that list articles for a query; `url` is the engine's endpoint.
DISCOVERY_ENDPOINTS = {
    "google_news": "https://news.google.com/rss/search",
    "bing_news": "https://www.bing.com/news/search",
    "gdelt": "https://api.gdeltproject.org/api/v2/doc/doc",
}
GDELT_LANGUAGES = ("italian", "english")
BACKFILL_KINDS = ("google_news", "gdelt", "bing_news", "sitemap", "web_archive")


class Source(_Strict):
    name: Annotated[str, Field(pattern=SLUG)]
    kind: Literal["feed", "sitemap", "site", "google_news", "bing_news", "gdelt", "web_archive"]
    url: str
    max_depth: int = Field(1, ge=0, le=10, description="site crawls only: link hops from url")
    allow: list[str] = Field(default_factory=list, description="site crawls: URL regexes to follow")
    deny: list[str] = Field(default_factory=list, description="site crawls: URL regexes to skip")
    queries: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="discovery kinds: searches to run, instead of those built from the watchlist"
    )
    languages: list[Annotated[str, Field(pattern=r"^[a-z]+$")]] = Field(
        default_factory=list, description="gdelt only: sourcelang values searched; empty means GDELT_LANGUAGES"
    )
    result_cap: int | None = Field(
        None, ge=1, description="discovery kinds: most results one search returns (default: the engine's own,"
        " 100 Google News, 250 GDELT, 10 per Bing page); a backfill window answered with this many is halved")
    archive: Literal["wayback", "commoncrawl"] | None = Field(
        None, description="web_archive only: whose index `url` is (the Wayback CDX API, or Common Crawl's index"
        " server, whose collinfo.json lists its crawls)")
    url_prefix: str | None = Field(
        None, min_length=4, description="web_archive only: the outlet's URLs to look for, as a prefix without"
        " scheme (www.example.it/2025/)")
    content_url: str | None = Field(
        None, description="web_archive only: where captures are read (default https://web.archive.org/web,"
        " https://data.commoncrawl.org)")
    request_interval: float | None = Field(
        None, ge=0, description="web_archive only: seconds between requests to the index host (default"
        " cdx-toolkit's: 6 for the Wayback Machine, 1 for Common Crawl, 3 elsewhere)")
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _default_endpoint(cls, data: Any) -> Any:
        # A search engine has one public endpoint: naming it in every entry is noise.
        if isinstance(data, dict) and "url" not in data and data.get("kind") in DISCOVERY_ENDPOINTS:
            return {**data, "url": DISCOVERY_ENDPOINTS[data["kind"]]}
        return data

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("allow", "deny")
    @classmethod
    def _check_patterns(cls, values: list[str]) -> list[str]:
        return [_regex(v) for v in values]

    @model_validator(mode="after")
    def _kind_only_fields(self) -> Source:
        if self.kind != "site" and (self.allow or self.deny or "max_depth" in self.model_fields_set):
            raise ValueError("max_depth, allow and deny apply to kind 'site' only")
        if self.kind not in DISCOVERY_ENDPOINTS and "queries" in self.model_fields_set:
            raise ValueError(f"queries apply to kinds {', '.join(DISCOVERY_ENDPOINTS)} only")
        archive_fields = {"archive", "url_prefix", "content_url", "request_interval"} & self.model_fields_set
        if self.kind != "web_archive" and archive_fields:
            raise ValueError(f"{', '.join(sorted(archive_fields))} apply to kind 'web_archive' only")
        if self.kind == "web_archive" and (self.archive is None or self.url_prefix is None):
            raise ValueError("kind 'web_archive' needs `archive` (wayback or commoncrawl) and `url_prefix`")
        if self.content_url is not None:
            _http_url(self.content_url)
        if self.kind not in DISCOVERY_ENDPOINTS and self.result_cap is not None:
            raise ValueError(f"result_cap applies to kinds {', '.join(DISCOVERY_ENDPOINTS)} only")
        if self.kind != "gdelt" and "languages" in self.model_fields_set:
            raise ValueError("languages apply to kind 'gdelt' only")
        if "languages" in self.model_fields_set and not self.languages:
            raise ValueError("languages: leave it out for the default, or name at least one language")
        for index, query in enumerate(self.queries):
            try:
                # Read now, so a typo in a query fails at load and not mid-crawl.
                gdelt_queries(query) if self.kind == "gdelt" else parse_query(query)
            except QueryError as exc:
                raise ValueError(f"queries[{index}]: {exc}") from None
        return self

    @property
    def discovery(self) -> bool:
        return self.kind in DISCOVERY_ENDPOINTS

    @property
    def backfill_only(self) -> bool:
        """Web archives are asked for past windows only: a monitoring run leaves them out."""
        return self.kind == "web_archive"

    @property
    def reaches_the_past(self) -> bool:
        """Kinds a backfill can ask for a date window; a feed or a site's pages show only today."""
        return self.kind in BACKFILL_KINDS


class HealthSettings(_Strict):
    """When the run summary flags a source for the operator's attention."""

    failing_runs: int = Field(3, ge=1, description="flag a source whose own URL failed this many runs in a row")
    silent_runs: int = Field(8, ge=1, description="flag a source that stored nothing new this many runs in a row")


class SourcesConfig(_Strict):
    allow_private_networks: bool = False
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    sources: list[Source] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[Source]) -> list[Source]:
        first: dict[str, int] = {}
        for index, source in enumerate(sources):
            if source.name in first:
                raise ValueError(
                    f"sources[{index}] ({source.name}): duplicate source name, first used by sources[{first[source.name]}]"
                )
            first[source.name] = index
        return sources

    @property
    def enabled_sources(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    def for_monitoring(self) -> SourcesConfig:
        """The configuration a monitoring run reads: without the sources only backfills ask."""
        return self.model_copy(update={"sources": [s for s in self.sources if not s.backfill_only]})


class Alias(_Strict):
    text: str = Field(min_length=1)
    case_sensitive: bool = False
    # None: the entity's own rule; a distinctive form ("Santini Cycling") can waive it,
    # a person-like form ("Martino Rossi") can demand it.
    requires_context: bool | None = None
    # A surname or a person's name: "Francesco Galdi", "il consigliere Malvestio",
    # "Santini, 19 anni" are people, not the company.
    person_like: bool = False


class Namesake(_Strict):
    """Another bearer of the name ("Podium, the US reviews software") and the words that give it away."""

    name: str = Field(min_length=1, description="who or what the namesake is, for the evidence shown to analysts")
    terms: list[str] = Field(min_length=1, description="words that point to the namesake when near the name")


class Entity(_Strict):
    id: Annotated[str, Field(pattern=SLUG)]
    name: str = Field(min_length=1, description="display name analysts see")
    kind: Literal["company", "programme"]
    description: str = ""
    aliases: list[Alias] = Field(min_length=1)
    # Evidence about the entity itself (strong: any one confirms a name that needs context).
    context: list[str] = Field(default_factory=list, description="terms tied to this entity alone (strong evidence)")
    people: list[str] = Field(default_factory=list, description="its own people, full names (strong evidence)")
    products: list[str] = Field(default_factory=list, description="its own products and brands (strong evidence)")
    # Evidence about its kind and place (weak: never confirms an ambiguous name alone).
    sector: list[str] = Field(default_factory=list, description="words of its sector (weak evidence)")
    places: list[str] = Field(default_factory=list, description="its town, province, region (weak evidence)")
    # Evidence against: the name's other meanings.
    namesakes: list[Namesake] = Field(
        default_factory=list, description="other organisations, products or people of the same name"
    )
    exclude: list[str] = Field(default_factory=list, description="regexes that rule a match out in its sentence")
    exclude_forms: list[str] = Field(
        default_factory=list, description="regexes that rule a match out when they match at its start"
    )
    requires_context: bool = False
    unverified: list[str] = Field(default_factory=list, description="facts not confirmed")

    @field_validator("aliases", mode="before")
    @classmethod
    def _plain_strings(cls, values: Any) -> Any:
        if isinstance(values, list):
            return [{"text": v} if isinstance(v, str) else v for v in values]
        return values

    @field_validator("exclude", "exclude_forms")
    @classmethod
    def _check_patterns(cls, values: list[str]) -> list[str]:
        return [_regex(v) for v in values]


class Watchlist(_Strict):
    entities: list[Entity] = Field(min_length=1)
    shared_context: list[str] = Field(
        default_factory=list, description="terms that confirm any company (the mission, the programmes)"
    )
    shared_weak: list[str] = Field(
        default_factory=list, description="terms that speak for any company, but never confirm one alone (the bank)"
    )
    version: str = Field("", description="content hash of the file, set when loaded")

    @field_validator("entities")
    @classmethod
    def _unique_ids(cls, entities: list[Entity]) -> list[Entity]:
        for attr in ("id", "name"):
            values = [getattr(e, attr) for e in entities]
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"duplicate entity {attr}: {', '.join(dupes)}")
        return entities

    def entity(self, entity_id: str) -> Entity:
        return next(e for e in self.entities if e.id == entity_id)


# A plain mailbox (no display name): what SMTP's RCPT TO takes. Full RFC 5322 is not worth it here.
ADDRESS_PATTERN = r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
LANGUAGES = ("it", "en")


class DigestRecipient(_Strict):
    address: Annotated[str, Field(pattern=ADDRESS_PATTERN)]
    entities: Literal["all"] | list[Annotated[str, Field(pattern=SLUG)]] = Field(
        "all", description="entity ids of the watchlist this recipient follows, or 'all'"
    )
    language: Literal["it", "en"] | None = Field(None, description="overrides the digest's language")

    @field_validator("entities")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("name at least one entity id, or write 'all'")
        return value


class DigestSettings(_Strict):
    email_block: Annotated[str, Field(pattern=SLUG)] = Field(
        description="name of the prefect-email EmailServerCredentials block holding the SMTP server and login"
    )
    sender: Annotated[str, Field(pattern=ADDRESS_PATTERN)]
    sender_name: str = "Rassegna stampa"
    language: Literal["it", "en"] = "it"
    send_empty: bool = Field(False, description="send a one-line 'nessuna nuova menzione' when there is nothing new")
    allow_private_networks: bool = Field(False, description="true when the SMTP server has a private address")
    recipients: list[DigestRecipient] = Field(min_length=1)

    @field_validator("recipients")
    @classmethod
    def _unique_addresses(cls, recipients: list[DigestRecipient]) -> list[DigestRecipient]:
        seen: dict[str, int] = {}
        for index, r in enumerate(recipients):
            key = r.address.lower()
            if key in seen:
                raise ValueError(f"recipients[{index}] ({r.address}): listed twice, first as recipients[{seen[key]}]")
            seen[key] = index
        return recipients


class DigestConfig(_Strict):
    digest: DigestSettings


def _describe(path: Path, data: Any, error: ValidationError) -> str:
    lines = [f"{path}: invalid configuration"]
    for err in error.errors():
        loc = list(err["loc"])
        where: list[str] = []
        node = data
        for i, part in enumerate(loc):
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                node = node[part]
                label = f"{loc[i - 1]}[{part}]" if i else f"[{part}]"
                if isinstance(node, dict) and ("name" in node or "id" in node or "address" in node):
                    label += f" ({node.get('name') or node.get('id') or node.get('address')!s})"
                where[-1:] = [label] if where and where[-1] == loc[i - 1] else where + [label]
            else:
                node = node.get(part) if isinstance(node, dict) else None
                where.append(str(part))
        field = ".".join(where) or "(top level)"
        lines.append(f"  {field}: {err['msg']}")
    return "\n".join(lines)


def _read_yaml(path: Path) -> tuple[Any, bytes]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        # safe_load: a config file never gets to construct Python objects.
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data, raw


def load_sources(path: Path | str) -> SourcesConfig:
    path = Path(path)
    data, _ = _read_yaml(path)
    try:
        return SourcesConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, data, exc)) from None


def load_watchlist(path: Path | str) -> Watchlist:
    path = Path(path)
    data, raw = _read_yaml(path)
    data.pop("version", None)
    try:
        watchlist = Watchlist.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, data, exc)) from None
    return watchlist.model_copy(update={"version": hashlib.sha256(raw).hexdigest()[:12]})


def load_digest(path: Path | str, watchlist: Watchlist) -> DigestConfig:
    """The digest's settings and recipients; every entity a recipient follows must be in the watchlist."""
    path = Path(path)
    data, _ = _read_yaml(path)
    try:
        config = DigestConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, data, exc)) from None
    known = {e.id for e in watchlist.entities}
    problems = [
        f"  digest.recipients[{index}] ({r.address}).entities: unknown entity id {entity!r}"
        f" (the watchlist's ids: {', '.join(sorted(known))})"
        for index, r in enumerate(config.digest.recipients) if r.entities != "all"
        for entity in r.entities if entity not in known
    ]
    if problems:
        raise ConfigError("\n".join([f"{path}: invalid configuration", *problems]))
    return config
