"""The hall's catalogue as configuration: what ships, and a deployment's file that cannot work refuses to load."""
import pytest

from petition.adapters.hall import load_catalogue


def test_the_shipped_catalogue_has_36_items_each_with_a_known_office_materials_and_a_time_limit():
    catalogue = load_catalogue()
    assert len(catalogue.items) == 36
    assert set(catalogue.offices.values()) >= {"民政", "社保", "残联", "退管", "计生", "综治", "党建"}
    for item in catalogue.items.values():
        assert item["office"] in catalogue.offices and item["materials"] and item["time_limit_days"] >= 1, item
    assert {"低保申请", "高龄津贴申请", "残疾证办理", "再就业优惠证办理", "城镇居民医保参保", "流动人口居住证办理",
            "党组织关系转接", "开具居住证明"} <= {i["name"] for i in catalogue.items.values()}
    assert sum(i["on_behalf"] for i in catalogue.items.values()) > 20  # 全程代办 where the hall can carry it


def test_a_catalogue_naming_an_unknown_office_or_no_time_limit_refuses_to_load(tmp_path):
    bad = tmp_path / "hall.yaml"
    bad.write_text("offices: {minzheng: 民政}\nitems:\n  a: {name: 甲, office: nowhere, time_limit_days: 3}\n"
                   "  b: {name: 乙, office: minzheng, time_limit_days: 0}\n", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_catalogue(bad)
    assert "a: office 'nowhere'" in str(refused.value) and "b: time_limit_days" in str(refused.value)
