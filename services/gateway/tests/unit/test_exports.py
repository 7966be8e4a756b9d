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


def test_every_service_is_paged_the_one_way_and_answers_the_one_envelope():
    assert exports.items_of({"items": [{"id": 1}], "total": 1, "page": 1, "page_size": 100}) == ([{"id": 1}], 1, None)
    assert exports.items_of({"items": [], "total": 10000, "total_capped": True}) == ([], None, None)  # "at least"
    # a list walked by cursor: the page after this one is asked by its `next`
    assert exports.items_of({"items": [{"id": 1}], "total": 9, "page": 1, "page_size": 1, "next": "abc"}) == \
        ([{"id": 1}], 9, "abc")
    assert exports.PAGING.params(1, "abc") == {"after": "abc", "page_size": "100"}
    assert exports.items_of({"applications": [{"id": 2}]}) is None  # an old dialect is not a list any more
    assert exports.items_of({"id": "x", "name": "not a list"}) is None
    assert exports.PAGING.params(0) == {"page": "1", "page_size": "100"}
    assert exports.PAGING.params(2) == {"page": "3", "page_size": "100"}


def test_codes_are_named_in_the_owning_services_words():
    words = {"category": {"property": "物业管理"}, "programme": {"new_aid": "新设救助"}}
    cols, rows = exports.table([{"category": "property", "programme": "new_aid", "status": "closed"}], None, words)
    assert rows == [["物业管理", "新设救助", "已办结"]]
    # a code no service names stays a code: the gateway keeps no copy of the services' vocabularies
    assert exports.table([{"category": "property"}])[1] == [["property"]]


def test_rows_flatten_people_and_headers_are_unique_and_chinese():
    items = [{"id": "p1", "status": "受理", "state": "registered", "org_path": "/x/",
              "petitioners": [{"name": "王建国", "id_number": "2202**********123X"}, {"name": "李梅"}],
              "assignment": {"person": "王科长", "deadline": "2026-03-20"}}]
    cols, rows = exports.table(items)
    headers = [h for _, h in cols]
    assert headers == ["编号", "状态", "办理状态", "信访人", "信访人·身份证号", "交办·责任人", "交办·办理期限"]
    assert rows == [["p1", "受理", "已受理", "王建国、李梅", "2202**********123X、", "王科长", "2026-03-20"]]


def test_the_annual_report_tells_the_employment_year_in_the_offices_words():
    from gateway.adapters.report_sentences import sentences
    from gateway.domain.metrics import METRICS, RATES

    figures = {"welfare.reemployment_certificates": 980, "welfare.placements": 300, "welfare.placements_on_site": 273,
               "welfare.jobseekers": 41, "welfare.zero_employment_cleared": 12, "welfare.zero_employment_households": 2,
               "welfare.medical_insurance_enrolled": 957}
    overview = {"metrics": {k: {"value": figures.get(k, 0)} for k in METRICS},
                "rates": {r.key: {"value": None} for r in RATES}}
    assert sentences(overview)["七、就业和社会保障"] == [
        "为980名下岗职工办理再就业优惠证,300名下岗失业人员得到安置(其中现场安置273人),目前登记失业人员41人。",
        "零就业家庭12户已动态清零,尚有2户在跟踪帮扶;城镇居民医保参保957人。"]
    overview["metrics"]["welfare.zero_employment_households"]["value"] = 0
    assert sentences(overview)["七、就业和社会保障"][1].startswith("零就业家庭12户已动态清零,零就业家庭保持动态为零;")
