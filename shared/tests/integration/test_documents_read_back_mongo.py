"""On the MongoDB-protocol store every document is read back as it was written, whatever its strings hold and
however many shapes its collection has: a petitioner's name, a complaint's text, a caseworker's note are stored
and shown again character for character.

FerretDB 1.24 keeps each document as JSON beside a schema of its types, and decoded both with a new JSON decoder
for every value; deploy/local/ferretdb.sh builds it (fix 13) decoding each distinct schema once and keeping it, and
taking a string whose JSON needs no unescaping as its bytes. These reads are what those two shortcuts must never
change: strings that need unescaping (quotes, backslashes, control characters, `\\u` escapes the encoder writes for
`<`, `>`, `&`, U+2028), strings that do not (Chinese, emoji, spaces, `!`), and more shapes than the kept schemas'
bound, so the schema of a document is never another's.
"""
from __future__ import annotations

import datetime as dt

import pymongo
from bson import Int64, ObjectId

from liandong.storage import open_database

STRINGS = [
    "", " ", "!", "plain", "张三 反映 小区 噪声", "王 五!", "emoji 😀 ok", "tab\there", "line\nbreak", "cr\rret",
    'quote " inside', "back\\slash", "both \\\" mixed", "\\", '"', "<script>&amp;</script>", "sep\u2028para\u2029",
    "nul\x00byte", "bell\x07", "\x1f", "é composed e\u0301", "ｆｕｌｌ　ｗｉｄｔｈ", "x" * 5000,
    "\\u0041 not an escape", "trailing backslash\\", "\ud7ff\ue000\uffff",
]


def _document(i: int) -> dict:
    """A document whose values and shape vary with i: every string above at some depth, arrays of mixed types
    and lengths (each length is a schema of its own), nested documents, the other BSON types FerretDB keeps."""
    s = STRINGS[i % len(STRINGS)]
    return {
        "_id": f"d{i:05d}",
        "text": s,
        "texts": STRINGS[: (i % 7) + 1],
        "nested": {"name": s[::-1], "level": {"deeper": [s, {"k": s}], "n": i}},
        "mixed": [i, float(i) / 3, s, True, None, {"a": [s]}][: (i % 6) + 1],
        f"field_{i % 3000}": s,  # 3 000 top-level names: more schemas than FerretDB's fix keeps at once
        "when": dt.datetime(2026, 1, 1) + dt.timedelta(seconds=i),
        "big": Int64(2 ** 40 + i),
        "blob": s.encode("utf-8"),  # binary data (pymongo reads subtype 0 back as bytes)
        "oid": ObjectId(f"{i:024x}"),
        "flag": i % 2 == 0,
        "none": None,
    }


def test_every_document_is_read_back_as_written_whatever_its_strings_and_shapes(make_settings):
    db = open_database(make_settings(store="mongo"))
    try:
        coll = db.client[db.name]["read_back"]
        written = [_document(i) for i in range(3600)]
        coll.insert_many(written)
        by_id = {d["_id"]: d for d in written}

        # a whole read (each shape decoded, the kept schemas past their bound), twice: the second read is
        # answered from kept schemas where the first decoded them
        for _ in range(2):
            read = list(coll.find({}).sort("_id", pymongo.ASCENDING))
            assert len(read) == len(written)
            for got in read:
                assert got == by_id[got["_id"]], got["_id"]

        # one document at a time, after the others' schemas were kept: none comes back in another's shape
        for i in (0, 1, 2, 25, 26, 2047, 2048, 2049, 3599):
            assert coll.find_one({"_id": f"d{i:05d}"}) == by_id[f"d{i:05d}"]

        # a string read back is also found by itself: what was stored is the text, not its escaped form
        for s in STRINGS:
            found = {d["_id"] for d in coll.find({"text": s}, projection={"_id": 1})}
            assert found == {d["_id"] for d in written if d["text"] == s}, repr(s)
    finally:
        db.client.drop_database(db.name)
