"""Rules of the org tree, without I/O."""
import pytest

from liandong.errors import Conflict, ValidationFailed

from gateway.domain.org_tree import OrgUnit


def test_paths_follow_the_tree_and_creation_is_announced():
    district = OrgUnit.create("chuanying", "船营区", "district", None)
    sub = OrgUnit.create("huangqi", "黄旗街道", "subdistrict", district)
    community = OrgUnit.create("jiayuan", "家园社区", "community", sub)
    assert community.path == "/chuanying/huangqi/jiayuan/"
    assert community.events == [("gateway.org_unit.created", {
        "org_unit_id": "jiayuan", "name": "家园社区", "level": "community", "parent_id": "huangqi",
        "path": "/chuanying/huangqi/jiayuan/"})]


def test_a_child_sits_below_its_parent_and_roots_are_districts():
    district = OrgUnit.create("chuanying", "船营区", "district", None)
    with pytest.raises(ValidationFailed) as err:
        OrgUnit.create("x", "x", "district", district)
    assert "level" in err.value.fields
    with pytest.raises(ValidationFailed):
        OrgUnit.create("c", "社区", "community", None)
    with pytest.raises(ValidationFailed) as err:
        OrgUnit.create("Bad Id", "", "nowhere", district)
    assert set(err.value.fields) == {"id", "name", "level"}


def test_rename_and_retire():
    unit = OrgUnit.create("chuanying", "船营区", "district", None)
    unit.events.clear()
    unit.rename("船营新区")
    unit.retire()
    assert [e[0] for e in unit.events] == ["gateway.org_unit.renamed", "gateway.org_unit.retired"]
    with pytest.raises(Conflict):
        unit.retire()
    with pytest.raises(Conflict):
        OrgUnit.create("s", "街道", "subdistrict", unit)
