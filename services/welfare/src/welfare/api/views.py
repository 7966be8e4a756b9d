"""How the welfare API presents its records: what a masked household hides, money in yuan beside fen,
no storage bookkeeping."""
from __future__ import annotations

import dataclasses

from liandong.auth import Principal, current_principal
from liandong.idnumbers import mask
from liandong.web import load_query

from ..domain.money import fen_to_yuan


def _household_view(household: dict, unmasked: bool) -> dict:
    if unmasked:
        return household
    members = [{**m, "id_number": mask(m["id_number"]), "monthly_income_fen": None} for m in household["members"]]
    hidden = {"phone": _masked_phone(household["phone"])} if household.get("phone") else {}  # a roster's 联系电话
    return {**household, "members": members, "financial_assets_fen": None, **hidden}


def _masked_phone(phone: str) -> str:
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


# What the masked household hides (incomes, financial assets), the eligibility figures and explanations
# worked out from it would tell again: they are hidden wherever the household is.
_HIDDEN_FIGURES = ("household_income_fen", "income_per_member_fen", "assets_per_member_fen")
_RULES_QUOTING_THEM = ("income_per_member_below_line", "assets_per_member_at_most")


def _eligibility_view(eligibility: dict, unmasked: bool) -> dict:
    if unmasked or not eligibility:
        return eligibility
    rules = []
    for r in eligibility.get("rules") or []:
        figures = {k: (None if k in _HIDDEN_FIGURES else v) for k, v in (r.get("figures") or {}).items()}
        explanation = r["explanation"]
        if r["rule"] in _RULES_QUOTING_THEM:
            explanation = ("met" if r["passed"] else "not met") + " (the figures need personal_data:read)"
        rules.append({**r, "figures": figures, "explanation": explanation})
    return {**eligibility, "rules": rules}


def _case_fields(case) -> dict:
    return {k: v for k, v in dataclasses.asdict(case).items() if k not in ("events", "org_path")}


def application_view(p: Principal, app) -> dict:
    doc = _case_fields(app)
    unmasked = app.applicant_user_id == p.user_id or p.can("personal_data:read", app.org_path)
    doc["household"] = _household_view(app.household, unmasked)
    doc["eligibility"] = _eligibility_view(app.eligibility, unmasked)
    return doc


def grant_view(p: Principal, grant) -> dict:
    doc = _case_fields(grant)
    unmasked = p.can("personal_data:read", grant.org_path)
    doc["household"] = _household_view(grant.household, unmasked)
    doc["monthly_amount_yuan"] = fen_to_yuan(grant.monthly_amount_fen)
    if grant.imported and not unmasked:
        doc["imported"] = {**grant.imported, "note": None}  # the roster's 备注 speaks of the household
    for review in doc["reviews"]:
        review["eligibility"] = _eligibility_view(review["eligibility"], unmasked)
    return doc


def redemption_view(r) -> dict:
    return {"id": r.id, "org_unit_id": r.org_unit_id, "volunteer_id": r.volunteer_id, "status": r.status,
            "coins": r.coins, "lines": r.lines, "cancel_reason": r.cancel_reason, "created_at": r.created_at,
            "finished_at": r.finished_at}


def visit_view(v) -> dict:
    return {"id": v.id, "org_unit_id": v.org_unit_id, "kind": v.kind, "visitor_id": v.visitor_id,
            "visitor_name": v.visitor_name, "visited": v.visited, "visited_at": v.visited_at, "money_fen": v.money_fen,
            "goods": v.goods, "notes": v.notes, "follow_up": v.follow_up, "pairing_id": v.pairing_id}


# -- lists of pairings, visits and fund grants: whom they name is masked, and what is written about them
# (a plan, a visit's notes, a grant's reason: health, debts) hidden, for a caller without personal_data:read


PERSONAL = "personal_data:read"


def _masked_name(text: str | None) -> str | None:
    return text[:1] + "*" * (len(text) - 1) if text else text


def pairing_list_view(p: Principal, pairing: dict) -> dict:
    doc = clean(pairing)
    if p.can(PERSONAL, pairing["org_path"]):
        return doc
    return {**doc, "household": _masked_name(doc.get("household")), "plan": None, "goals": []}


def visit_list_view(p: Principal, v) -> dict:
    doc = visit_view(v)
    if p.can(PERSONAL, v.org_path):
        return doc
    return {**doc, "visited": _masked_name(v.visited), "notes": None, "follow_up": None}


def fund_grant_list_view(p: Principal, grant: dict) -> dict:
    doc = clean(grant)
    if p.can(PERSONAL, grant["org_path"]):
        return doc
    return {**doc, "recipient": _masked_name(doc.get("recipient")), "reason": None, "note": None}


def stock_view(doc: dict) -> dict:
    row = {k: doc.get(k) for k in ("org_unit_id", "sku", "name", "unit", "quantity", "held", "issued_total",
                                   "donated_total", "opening_total", "unit_value_fen", "coin_price", "low_stock_at")}
    row["item_id"] = doc["_id"]
    row["low_stock"] = doc["quantity"] <= (doc.get("low_stock_at") or 0)
    row["stock_value_fen"] = doc["quantity"] * doc["unit_value_fen"]
    return row


def payment_view(doc: dict) -> dict:
    return {**clean(doc), "amount_yuan": fen_to_yuan(doc["amount_fen"])}


def clean(doc: dict) -> dict:
    """A stored document without its bookkeeping (outbox, request keys, ledger parking)."""
    return {k: v for k, v in doc.items() if not k.startswith("_") or k == "_id"}


# -- the steps routes repeat: parse, call the use case as the caller, present


def listed(search, query_schema, view=None) -> dict:
    """A list route: the query parsed (`query_schema`), `search(caller, query)` asked, the page presented
    (`view(caller, record)`)."""
    p = current_principal()
    return search(p, load_query(query_schema)).body((lambda record: view(p, record)) if view else None)
