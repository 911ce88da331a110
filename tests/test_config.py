"""Config loading: valid files load; bad ones fail early, naming file, entry and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rassegna.config import Alias, ConfigError, load_sources, load_watchlist

ROOT = Path(__file__).parent.parent
SHIPPED_WATCHLIST = ROOT / "config" / "watchlist.yaml"


def write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


# --- sources ---------------------------------------------------------------------------


def test_minimal_sources_file_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        sources:
          - {name: gazzetta-locale, kind: feed, url: "https://gazzetta.example/rss.xml"}
          - {name: portale-pmi, kind: site, url: "https://pmi.example/", max_depth: 2, deny: ['/tag/']}
        """,
    )
    config = load_sources(path)
    assert [s.name for s in config.sources] == ["gazzetta-locale", "portale-pmi"]
    assert config.sources[0].kind == "feed"
    assert config.sources[1].max_depth == 2
    assert config.sources[1].deny == ["/tag/"]
    # Private networks are off unless the file says otherwise.
    assert config.allow_private_networks is False


def _two_sources(second: str) -> str:
    return f"""
        sources:
          - {{name: alpha-news, kind: feed, url: "https://alpha.example/feed.xml"}}
          - {second}
        """


@pytest.mark.parametrize(
    ("second", "name", "field"),
    [
        pytest.param(
            '{name: beta-news, kind: site, url: "https://beta.example/", max_depht: 2}',
            "beta-news",
            "max_depht",
            id="unknown-key",
        ),
        pytest.param(
            '{name: beta-news, kind: feed, url: "ftp://beta.example/feed.xml"}',
            "beta-news",
            "url",
            id="non-http-url",
        ),
        pytest.param("{name: beta-news, kind: feed}", "beta-news", "url", id="missing-url"),
        pytest.param(
            '{name: beta-news, kind: feed, url: "https://beta.example/feed.xml", max_depth: 3}',
            "beta-news",
            "max_depth",
            id="max-depth-on-feed",
        ),
        pytest.param(
            '{name: beta-news, kind: site, url: "https://beta.example/", deny: ["/tag/(unclosed"]}',
            "beta-news",
            "deny",
            id="invalid-deny-regex",
        ),
    ],
)
def test_bad_source_entry_names_file_entry_and_field(tmp_path: Path, second: str, name: str, field: str) -> None:
    path = write(tmp_path, _two_sources(second))
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    message = str(info.value)
    assert str(path) in message
    assert "sources[1]" in message
    assert name in message
    assert field in message
    # The first, valid entry is not blamed.
    assert "sources[0]" not in message


def test_duplicate_source_names_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, _two_sources('{name: alpha-news, kind: site, url: "https://other.example/"}'))
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    message = str(info.value)
    assert str(path) in message
    assert "alpha-news" in message
    assert "duplicate" in message.lower()


def test_duplicate_source_names_message_names_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, _two_sources('{name: alpha-news, kind: site, url: "https://other.example/"}'))
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert "sources[1]" in str(info.value)


def test_not_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "sources: [ {name: x, kind: feed\n  url: : :\n")
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert str(path) in str(info.value)
    assert "yaml" in str(info.value).lower()


@pytest.mark.parametrize("text", ["- just\n- a list\n", "plain words\n", ""], ids=["list", "scalar", "empty"])
def test_top_level_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert str(path) in str(info.value)
    assert "mapping" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "sources.yaml"
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert str(path) in str(info.value)


# --- watchlist -------------------------------------------------------------------------

ONE_ENTITY = """
    entities:
      - id: ditta-prova
        name: Ditta Prova
        kind: company
        aliases: ["Ditta Prova"]
    """


def test_watchlist_empty_entities(tmp_path: Path) -> None:
    path = write(tmp_path, "entities: []\n", "watchlist.yaml")
    with pytest.raises(ConfigError) as info:
        load_watchlist(path)
    assert str(path) in str(info.value)
    assert "entities" in str(info.value)


def test_watchlist_invalid_exclude_regex(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_ENTITY
        + """
      - id: altra-ditta
        name: Altra Ditta
        kind: company
        aliases: ["Altra Ditta"]
        exclude: ['[senza chiusura']
    """,
        "watchlist.yaml",
    )
    with pytest.raises(ConfigError) as info:
        load_watchlist(path)
    message = str(info.value)
    assert str(path) in message
    assert "entities[1]" in message
    assert "Altra Ditta" in message
    assert "exclude" in message
    assert "entities[0]" not in message


def test_watchlist_duplicate_entity_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_ENTITY
        + """
      - id: ditta-prova
        name: Ditta Prova Bis
        kind: company
        aliases: ["Prova Bis"]
    """,
        "watchlist.yaml",
    )
    with pytest.raises(ConfigError) as info:
        load_watchlist(path)
    message = str(info.value)
    assert str(path) in message
    assert "ditta-prova" in message
    assert "duplicate" in message.lower()


def test_plain_string_alias_is_case_insensitive(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_ENTITY, "watchlist.yaml")
    watchlist = load_watchlist(path)
    alias = watchlist.entities[0].aliases[0]
    assert isinstance(alias, Alias)
    assert alias.text == "Ditta Prova"
    assert alias.case_sensitive is False


def test_shipped_watchlist_loads_with_the_fourteen_names() -> None:
    watchlist = load_watchlist(SHIPPED_WATCHLIST)
    companies = {
        "Aton", "Galdi", "I.co.p", "Las Mobili", "Mac&Nil", "Malvestio", "Manta Group",
        "Martinorossi", "Move", "Podium Engineering", "Rain", "Santini",
    }
    programmes = {"Imprese Vincenti", "INNOVIT"}
    names = [e.name for e in watchlist.entities]
    assert len(names) == 14
    assert set(names) == companies | programmes
    kinds = {e.name: e.kind for e in watchlist.entities}
    assert {n for n, k in kinds.items() if k == "company"} == companies
    assert {n for n, k in kinds.items() if k == "programme"} == programmes


def test_watchlist_version_is_a_stable_content_hash(tmp_path: Path) -> None:
    original = SHIPPED_WATCHLIST.read_bytes()
    first = tmp_path / "a" / "watchlist.yaml"
    second = tmp_path / "b" / "other-name.yaml"
    for path in (first, second):
        path.parent.mkdir()
        path.write_bytes(original)
    v1 = load_watchlist(first).version
    assert v1
    # Same content: same version, whatever the path, however often loaded.
    assert load_watchlist(first).version == v1
    assert load_watchlist(second).version == v1
    # Changed content: a new version.
    second.write_bytes(original + b"\n# analyst note\n")
    assert load_watchlist(second).version != v1


def test_watchlist_version_key_in_file_is_not_trusted(tmp_path: Path) -> None:
    path = write(tmp_path, "version: hand-written\n" + textwrap.dedent(ONE_ENTITY), "watchlist.yaml")
    assert load_watchlist(path).version != "hand-written"
