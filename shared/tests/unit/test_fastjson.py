"""liandong.fastjson (#23): orjson writes the stored documents and the API's answers, and the text is the
standard library's — a stored document read back by SQLite's JSON functions, or an answer compared by a
client, must not change with the encoder."""
import json
from datetime import datetime, timezone

import pytest

from liandong import fastjson

STANDARD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
VALUES = [
    {"name": "刘女士", "content": "楼下饭店油烟和噪音扰民\n\"夜间\"", "n": [1, 2.5, -0.0, 0.1, 123456789.125], "ok": True,
     "none": None, "nested": {"a": [{"b": "c"}], "empty": {}}},
    {1: "an int key", 2.5: "a float key", True: "a bool key", None: "a None key"},
    {"big": 2 ** 70, "negative big": -(2 ** 65)},  # beyond 64 bits: the standard library writes them
    ["\u2028 separator", "emoji 😀", "\x00 control"],
    ("a", "tuple"),
]


@pytest.mark.parametrize("value", VALUES)
def test_the_text_is_the_standard_librarys(value):
    assert fastjson.dumps(value) == STANDARD.encode(value)


def test_a_float_written_with_an_exponent_is_the_same_number():
    # the one difference in the text: orjson writes 1e-7 and 1e16 where the standard library writes 1e-07, 1e+16
    value = {"small": 1e-7, "large": 1e16, "tiny": 5e-324}
    assert json.loads(fastjson.dumps(value)) == value


def test_what_the_standard_library_refuses_is_still_refused():
    with pytest.raises(TypeError):
        fastjson.dumps({"at": datetime(2026, 1, 1, tzinfo=timezone.utc)})  # a stored time is an ISO string


def test_an_answers_default_is_used_as_flasks_own_provider_uses_it():
    assert fastjson.dumps({"at": datetime(2026, 1, 1)}, default=lambda o: o.isoformat()) == '{"at":"2026-01-01T00:00:00"}'
