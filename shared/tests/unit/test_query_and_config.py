"""Mongo semantics in plain Python (used by the embedded adapter) and the settings."""
from __future__ import annotations

import pytest

from liandong.config import ConfigError, Settings
from liandong.storage.query import apply_update, matches, upsert_seed
from liandong.storage.sqlite import _literal_prefix


def test_matches_follows_mongo_semantics():
    doc = {"a": 1, "tags": ["x", "y"], "p": {"q": "家园"}, "none": None}
    assert matches(doc, {"a": 1, "p.q": "家园"})
    assert matches(doc, {"tags": "x"}) and not matches(doc, {"tags": {"$ne": "x"}})
    assert matches(doc, {"missing": None}) and matches(doc, {"none": None})
    assert matches(doc, {"missing": {"$exists": False}}) and not matches(doc, {"none": {"$exists": False}})
    assert matches(doc, {"$or": [{"a": 2}, {"a": {"$gte": 1}}]})
    assert not matches(doc, {"a": {"$gt": "0"}})  # no comparison across types


def test_apply_update_does_not_change_its_input():
    doc = {"n": 1, "l": [1]}
    new = apply_update(doc, {"$inc": {"n": 2}, "$push": {"l": 2}, "$set": {"x.y": 1}})
    assert doc == {"n": 1, "l": [1]} and new == {"n": 3, "l": [1, 2], "x": {"y": 1}}


def test_upsert_seed_takes_equality_fields_only():
    assert upsert_seed({"_id": "a", "n": {"$lt": 3}, "k": {"$eq": 1}}) == {"_id": "a", "k": 1}


@pytest.mark.parametrize("pattern,prefix", [("^/cy/hq/", "/cy/hq/"), (r"^/cy\-1/", "/cy-1/"),
                                            ("^/cy/.*", None), ("/cy/", None), (r"^a\d", None)])
def test_only_anchored_literals_become_index_ranges(pattern, prefix):
    assert _literal_prefix(pattern) == prefix


def test_settings_defaults_run_embedded_and_production_needs_secrets():
    s = Settings.from_env("petition", {})
    assert (s.store, s.bus, s.port, s.database_name) == ("sqlite", "embedded", 8001, "liandong_petition")
    k = Settings.from_env("welfare", {"LIANDONG_BACKEND": "kafka", "KAFKA_BOOTSTRAP_SERVERS": "k:9092"})
    assert (k.store, k.bus, k.kafka_bootstrap_servers) == ("mongo", "kafka", "k:9092")
    with pytest.raises(ConfigError):
        Settings.from_env("gateway", {"LIANDONG_ENV": "production"})
    with pytest.raises(ConfigError):
        Settings.from_env("gateway", {"LIANDONG_BACKEND": "redis"})


@pytest.mark.parametrize("env, min_insync", [
    ({}, 1),                                                            # one broker: one copy acknowledges
    ({"KAFKA_REPLICATION_FACTOR": "3"}, 2),                             # replicated: a broker may die
    ({"KAFKA_REPLICATION_FACTOR": "3", "KAFKA_MIN_INSYNC_REPLICAS": "3"}, 3),
])
def test_topics_need_two_in_sync_replicas_once_they_are_replicated(env, min_insync):
    assert Settings.from_env("petition", {"LIANDONG_BACKEND": "kafka", **env}).kafka_min_insync == min_insync


def test_more_in_sync_replicas_than_replicas_is_refused():
    # every acks=all publish would fail: refused at start, not at the first write
    with pytest.raises(ConfigError, match="KAFKA_MIN_INSYNC_REPLICAS"):
        Settings.from_env("petition", {"KAFKA_REPLICATION_FACTOR": "1", "KAFKA_MIN_INSYNC_REPLICAS": "2"})
