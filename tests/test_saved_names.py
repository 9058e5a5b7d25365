"""The completion names file: per scope, bounded, private, and empty when it is not ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecsshell import saved_names
from ecsshell.saved_names import SavedNames, open_names


def test_names_round_trip_per_scope_and_only_for_kept_kinds(tmp_path: Path) -> None:
    prod = open_names(tmp_path, {}, None, "default@us-east-1")
    other = open_names(tmp_path, {}, None, "ci@eu-west-1")
    assert prod is not None and other is not None
    prod.save(("services", "prod"), [("web", "2/2 running, web:3")])
    prod.save(("tags", "prod", "web"), [(":1.0", "")])  # tags are fetched each run, never kept
    loaded = prod.load(("services", "prod"))
    assert loaded is not None and loaded[0] == [("web", "2/2 running, web:3")]
    assert prod.load(("tags", "prod", "web")) is None
    assert other.load(("services", "prod")) is None
    assert open_names(tmp_path, {"ECSSHELL_NO_CACHE": "1"}, None, "x") is None
    assert open_names(tmp_path, {}, "http://127.0.0.1:1", "x").path != prod.path  # an emulator's names apart


def test_the_file_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(saved_names, "MAX_ITEMS", 5)
    monkeypatch.setattr(saved_names, "MAX_LISTS", 3)
    monkeypatch.setattr(saved_names, "MAX_SCOPES", 2)
    names = SavedNames(tmp_path / "names.json", "a")
    names.save(("clusters",), [(f"c{i}", "") for i in range(10)])
    assert len(names.load(("clusters",))[0]) == 5  # type: ignore[index]
    for cluster in ("one", "two", "three"):
        names.save(("services", cluster), [("web", "")])
    assert names.load(("clusters",)) is None  # the least recently saved list went first
    for scope in ("b", "c"):
        SavedNames(names.path, scope).save(("clusters",), [("x", "")])
    assert names.load(("services", "three")) is None  # and the least recently saved scope
    monkeypatch.setattr(saved_names, "MAX_BYTES", 2000)
    big = SavedNames(tmp_path / "big.json", "a")
    for cluster in ("one", "two", "three"):
        big.save(("services", cluster), [(f"service-{i:03d}", "1/1 running") for i in range(5)] * 1)
    monkeypatch.setattr(saved_names, "MAX_ITEMS", 40)
    big.save(("services", "four"), [(f"service-{i:03d}", "1/1 running, service:12") for i in range(40)])
    assert big.path.stat().st_size <= 2000
    assert big.load(("services", "four")) is not None and big.load(("services", "one")) is None
