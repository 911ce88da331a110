"""A warehouse on a DuckDB service (MotherDuck's md: databases): no file is derived from the
connection string. MotherDuck cannot be reached from the test machine, so only the paths are tested."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from warehouse.lock import LockTimeout, lock_path, writer_lock

SERVICE = "md:rassegna?motherduck_token=SECRET-TOKEN"


def test_the_lock_of_a_service_database_lives_in_the_temp_folder_without_the_token(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = lock_path(SERVICE)
    assert path.parent == Path(tempfile.gettempdir()) / "rassegna-locks"
    assert "SECRET" not in str(path) and ":" not in path.name
    assert lock_path("md:rassegna") == path  # one database, one lock, whatever the options
    assert lock_path("md:other") != path
    assert lock_path(tmp_path / "w.duckdb") == tmp_path / "w.duckdb.lock"  # files keep theirs


def test_two_writers_of_one_service_database_exclude_each_other(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = f"md:rassegna_test_{os.getpid()}"
    with writer_lock(name, timeout=5):
        with pytest.raises(LockTimeout, match="another run holds the writer lock"):
            with writer_lock(name, timeout=0.3, poll=0.1):
                pass
    assert not list(tmp_path.iterdir()), "nothing may be written in the working folder"


def test_crawl_folders_of_service_databases_are_apart_and_never_in_the_working_folder(tmp_path, monkeypatch):
    from flows.monitor import _crawl_dir

    monkeypatch.chdir(tmp_path)
    first, other = _crawl_dir(SERVICE, "run1"), _crawl_dir("md:other", "run1")
    assert first.is_relative_to(tempfile.gettempdir()) and not first.is_relative_to(tmp_path)
    # The stale-folder sweep removes the parent: it must not reach another database's runs.
    assert first.parent != other.parent and "SECRET" not in str(first)
    assert _crawl_dir(SERVICE, "run1", crawl_root=str(tmp_path / "shared")).is_relative_to(tmp_path / "shared")
    assert _crawl_dir(str(tmp_path / "w.duckdb"), "run1").parent.parent == tmp_path


def test_no_analysts_copy_of_a_service_database():
    from rassegna.cli import _analysts_db
    from warehouse.publish import publish

    with pytest.raises(ValueError, match="analysts connect to it directly"):
        publish("md:rassegna")
    # Reading commands (schema, report, sql) go to the service itself.
    assert str(_analysts_db(Path("md:rassegna"))) == "md:rassegna"
