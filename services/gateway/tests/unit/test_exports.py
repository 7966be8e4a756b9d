"""Lists as tables: cells the offices can read and a spreadsheet cannot run."""
from gateway.domain import exports


def test_cells_are_in_the_offices_terms_and_formulas_are_inert():
    assert exports.cell("amount_fen", 47190600) == "471906.00"
    assert exports.cell("registered_at", "2026-03-01T16:30:00Z") == "2026-03-02 00:30:00"  # Beijing time
    assert exports.cell("status", "assigned") == "已交办"
    assert exports.cell("is_group", True) == "是"
    assert exports.cell("risk_flags", ["group_petition"]) == "group_petition"
    for formula in ("=1+1", "+86 139", "-2", "@SUM(A1)", "\t=x"):
        assert exports.cell("title", formula).startswith("'")
    assert exports.cell("org_unit_id", "jiayuan", {"jiayuan": "家园社区"}.get) == "家园社区"


def test_a_page_of_items_is_found_whatever_the_service_calls_it():
    assert exports.items_of({"items": [{"id": 1}], "total": 1}) == [{"id": 1}]
    assert exports.items_of({"applications": [{"id": 2}]}) == [{"id": 2}]
    assert exports.items_of({"id": "x", "name": "not a list"}) is None
    assert exports.Paging("page_size", 100, "page", True).params(0) == {"page_size": "100", "page": "1"}
    assert exports.Paging("limit", 500, "offset", False).params(2) == {"limit": "500", "offset": "1000"}


def test_rows_flatten_people_and_headers_are_unique_and_chinese():
    items = [{"id": "p1", "status": "受理", "state": "registered", "org_path": "/x/",
              "petitioners": [{"name": "王建国", "id_number": "2202**********123X"}, {"name": "李梅"}],
              "assignment": {"person": "王科长", "deadline": "2026-03-20"}}]
    cols, rows = exports.table(items)
    headers = [h for _, h in cols]
    assert headers == ["编号", "状态", "办理状态", "信访人", "信访人·身份证号", "交办·责任人", "交办·办理期限"]
    assert rows == [["p1", "受理", "已受理", "王建国、李梅", "2202**********123X、", "王科长", "2026-03-20"]]
