"""A service's copy of the org tree: the unit a record is filed at must exist and be active."""
from __future__ import annotations

import pytest

from liandong.errors import ValidationFailed
from liandong.org import OrgDirectory
from liandong.storage.sqlite import SqliteDatabase


class _Counted:
    """The units' collection, counting the reads (a petition's intake reads its unit once, #23)."""

    def __init__(self, coll):
        self.coll, self.reads = coll, 0

    def find_one(self, *args, **kwargs):
        self.reads += 1
        return self.coll.find_one(*args, **kwargs)


def test_an_active_unit_is_read_once_and_an_unknown_or_retired_one_is_an_error_on_the_field(tmp_path):
    units = SqliteDatabase(tmp_path / "org.db").collection("org_units")
    units.insert_one({"_id": "c1", "name": "临江社区", "level": "community", "path": "/d/s1/c1/"})
    units.insert_one({"_id": "c2", "name": "旧社区", "level": "community", "path": "/d/s1/c2/", "retired": True})
    counted = _Counted(units)
    org = OrgDirectory(counted)

    unit = org.active("c1")
    assert (unit["name"], unit["path"], counted.reads) == ("临江社区", "/d/s1/c1/", 1)
    assert org.path_of("c1") == "/d/s1/c1/"
    for gone in ("c2", "nowhere"):
        with pytest.raises(ValidationFailed) as err:
            org.active(gone, "community")
        assert err.value.status == 422 and list(err.value.fields) == ["community"]
