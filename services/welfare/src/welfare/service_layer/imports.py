"""What welfare takes from the offices' own ledgers (liandong.imports): the benefit rosters (救助对象花名册) and the
charity supermarket's opening stock (爱心超市期初库存). Each row goes through welfare's own use case
(`Grants.import_grant`, `Goods.receive_opening_stock`): scope, encryption and events as for any grant or goods."""
from __future__ import annotations

from liandong import idnumbers
from liandong.imports import (CREATED, UNCHANGED, CellError, Choice, Context, Day, IdNumber, ImportKind, ImportRun,
                              Integer, Mobile, Money, Month, OrgUnitRef, Text)

from .grants import ROSTER_PERMISSION

_EXAMPLE_ID = "22020419750310100"
EXAMPLE_ID_NUMBER = _EXAMPLE_ID + idnumbers.check_digit(_EXAMPLE_ID)


class ProgrammeChoice(Choice):
    """A programme as the roster names it: its configured name (城市最低生活保障 (城市低保)), the short name in
    its brackets (城市低保), the name before them, or its code."""

    def parse(self, value, ctx):
        try:
            return super().parse(value, ctx)
        except CellError:
            text = str(value).strip().replace("（", "(").replace("）", ")")
            for code, label in self.options.items():
                full, _, short = label.replace("（", "(").replace("）", ")").partition("(")
                if text in (full.strip(), short.rstrip(")").strip()):
                    return code
            raise


def _community(example: str = "家园社区") -> OrgUnitRef:
    return OrgUnitRef("org_unit_id", "社区", example=example, aliases=("所属社区", "社区名称"),
                      rule="您管辖范围内的社区名称(见「代码表」),重名时填社区编号")


def roster_kind(welfare) -> ImportKind:
    """救助对象花名册: one row per grant running before the platform, of any configured programme."""
    programmes = {code: p.name for code, p in welfare.catalogue.programmes.items()}
    example_programme = programmes.get("dibao_urban") or next(iter(programmes.values()), "")
    columns = [
        _community(),
        Text("head_name", "户主姓名", example="张桂兰", max_length=50, personal=True, aliases=("姓名", "申请人姓名"),
             rule="户主(申请人)的姓名"),
        IdNumber("id_number", "身份证号", example=EXAMPLE_ID_NUMBER, aliases=("身份证号码", "公民身份号码"),
                 rule="18 位,末位可为 X;单元格设为文本"),
        Integer("household_size", "家庭人口", example=3, minimum=1, maximum=20, aliases=("保障人口", "家庭人数"),
                rule="享受救助的家庭人口数,1 到 20"),
        ProgrammeChoice("programme", "救助项目", example=example_programme, options=programmes, width=28,
                        rule="从下拉列表中选择(民政配置的救助项目)"),
        Money("amount_fen", "月保障金额(元)", example="1080.00", allow_zero=False, maximum_yuan=1_000_000,
              aliases=("保障金额(元)", "救助金额(元)", "月保障金额"),
              rule="按月发放的项目填每月金额;一次性项目(临时救助等)填救助金额;大于 0,最多两位小数"),
        Month("start_period", "起始月份", example="2024-03", aliases=("享受起始月份", "起始年月"),
              rule="开始享受的月份,如 2024-03;不能晚于本月"),
        Mobile("phone", "联系电话", required=False, example="13904321234", rule="选填:手机号或带区号的固定电话"),
        Text("address", "家庭住址", required=False, example="家园社区3栋2单元401", max_length=200, personal=True,
             width=30, rule="选填"),
        Text("note", "备注", required=False, max_length=500, personal=True, width=30, rule="选填"),
    ]
    schedules = {code: p.schedule for code, p in welfare.catalogue.programmes.items()}

    def key(values: dict):
        # a one-off programme may help the same household again in another month; a monthly one runs once
        once = schedules.get(values["programme"]) == "once"
        return values["programme"], values["id_number"], values["start_period"] if once else None

    def apply(values: dict, run: ImportRun) -> str:
        people = run.kept("people", welfare.grants.roster_index)  # who has which grant: read once, not per row
        return welfare.grants.import_grant(run.principal, dict(values), people)[1]

    return ImportKind(
        "roster", "救助对象花名册", ROSTER_PERMISSION, columns, apply, key=key, key_label="人员和救助项目",
        notes=("每行一户的一个救助项目;同一人同一项目再次导入不会重复,表中信息相同即为“未变化”。",
               "导入的救助视为已审批(社区评议、公示和审批已在线下完成),平台记录为“导入”,从起始月份起算。",
               "导入当月以前的月份视为已在线下发放,平台从导入当月起发放。",
               "一次性救助项目(如临时救助)视为已发放,导入后即为已结束。",
               "已在保人员的金额、家庭人口不能通过导入修改,请通过复核(动态管理)调整。"))


def supermarket_stock_kind(welfare) -> ImportKind:
    """爱心超市期初库存: the goods on each community's shelf on the day the platform starts."""
    columns = [
        _community(),
        Text("name", "物品名称", example="大米(5公斤装)", max_length=50, aliases=("品名", "物品"),
             rule="同一社区同名物品计为同一种物品"),
        Integer("quantity", "数量", example=20, minimum=1, maximum=100_000, aliases=("库存数量",), rule="正整数"),
        Text("unit", "单位", example="袋", max_length=10, aliases=("计量单位",), rule="如 袋、桶、床、件"),
        Money("unit_value_fen", "单价(元)", required=False, example="45.00", maximum_yuan=100_000,
              aliases=("单价",), rule="每单位的折价;与“价值(元)”至少填一项,最多两位小数"),
        Money("value_fen", "价值(元)", required=False, example="900.00", aliases=("价值", "金额(元)", "折价(元)"),
              rule="该行物品的总折价;只填价值时须能按数量整分到分"),
        Day("received_on", "入库日期", example="2025-12-31", aliases=("日期",), rule="如 2025-12-31;不能晚于今天"),
        Integer("coin_price", "兑换爱心币", required=False, example=30, minimum=0, maximum=100_000,
                aliases=("爱心币",), rule="选填:志愿者用爱心币兑换一件所需的枚数"),
    ]

    def check(values: dict, ctx: Context) -> dict[str, str]:
        unit, total, quantity = values["unit_value_fen"], values["value_fen"], values["quantity"]
        if unit is None and total is None:
            return {"unit_value_fen": "“单价(元)”和“价值(元)”至少填一项"}
        if unit is not None and total is not None and unit * quantity != total:
            return {"value_fen": f"价值应为单价×数量 = {unit * quantity / 100:.2f} 元"}
        if unit is None and total % quantity:
            return {"value_fen": "价值不能按数量整分到分,请改填单价"}
        if (unit if unit is not None else total // quantity) <= 0:
            return {"unit_value_fen": "单价应大于 0"}
        return {}

    def apply(values: dict, run: ImportRun) -> str:
        body = {k: v for k, v in values.items() if k != "value_fen" and v is not None}
        if values["unit_value_fen"] is None:
            body["unit_value_fen"] = values["value_fen"] // values["quantity"]
        return CREATED if welfare.goods.receive_opening_stock(run.principal, body)[1] else UNCHANGED

    return ImportKind(
        "supermarket_stock", "爱心超市期初库存", "welfare:goods", columns, apply,
        key=lambda v: (v["org_unit_id"], v["name"], v["received_on"]), key_label="社区、物品名称和入库日期",
        check=check,
        notes=("期初库存是平台启用前已在货架上的物品,记为“期初”,不计入本年度接收的捐赠。",
               "同一社区、同一物品名称、同一入库日期为一条记录;再次导入同一文件不会重复入库。",
               "已导入的期初库存数量有误时,请用盘点更正,不要改表重新导入。"))


def import_kinds(welfare) -> list[ImportKind]:
    return [roster_kind(welfare), supermarket_stock_kind(welfare)]
