"""The activity half of the one file per household (一户一档, #19): what the other services' events say its
members take part in — grants and payments (welfare), petitions (petition), volunteer hours (volunteer), and the
registers of welfare they are in (退管 / 老龄, 残联, 优抚; #20).

The household register knows each member's `person_key`; this answers for a list of them. No access check
or audit here: the caller (the household file's use case) checks `personal_data:read` over the household and
records the view. The projection holds no names or ID numbers, only pseudonyms, ids, codes and amounts.

A person's key changes when the blind-index key is rotated, and events keep the key they were written
with: pass every key of a member (`cipher.blind_indexes(id_number, PERSON_KEY)`: current and retired) to
find what was recorded before the rotation; the answer is keyed by the keys asked for.
"""
from __future__ import annotations

from ..adapters.person_activity import PersonActivity

GRANT_FIELDS = ("programme", "programme_name", "status", "started", "monthly_amount_fen", "org_unit_id")


def _paid(count: int, total_fen: int, last_period: str | None) -> dict:
    return {"count": count, "total_fen": total_fen, "last_period": last_period}


def _grant(doc: dict) -> dict:
    return {"grant_id": doc["_id"], **{k: doc.get(k) for k in GRANT_FIELDS},
            "payments": _paid(doc.get("paid_count") or 0, doc.get("paid_fen") or 0, doc.get("last_paid_period"))}


def _petition(doc: dict) -> dict:
    return {"petition_id": doc["_id"], **{k: doc.get(k) for k in ("category", "status", "filed_at", "org_unit_id")}}


def _register(doc: dict) -> dict:
    return {"entry_id": doc["_id"], **{k: doc.get(k) for k in ("register", "status", "registered_on", "ended_on",
                                                               "org_unit_id")}}


def _empty() -> dict:
    return {"grants": [], "payments": _paid(0, 0, None), "petitions": [],
            "volunteer": {"volunteer_ids": [], "minutes": 0, "hours": 0.0, "coins_credited": 0}, "registers": []}


def activity_of(deps, person_keys: list[str]) -> dict:
    """{person_key: {grants, payments, petitions, volunteer}} for every key asked (empty where nothing is known):

    - grants: [{grant_id, programme, programme_name, status (active|suspended|ended), started (YYYY-MM),
      monthly_amount_fen, org_unit_id, payments: {count, total_fen, last_period}}], oldest first
    - payments: {count, total_fen, last_period} over the person's grants
    - petitions: [{petition_id, category, status (registered|assigned|answered|closed|escalated), filed_at,
      org_unit_id}], newest first (a petition with several petitioners appears under each of them)
    - volunteer: {volunteer_ids, minutes, hours, coins_credited} (hours served; love coins credited)
    - registers: [{entry_id, register (retiree|elderly|disabled|veteran), status (active|ended), registered_on,
      ended_on, org_unit_id}] — welfare's person registers (#20), oldest first; no category or grade
    """
    keys = list(dict.fromkeys(k for k in person_keys if k))
    out = {k: _empty() for k in keys}
    if not keys:
        return out
    store = PersonActivity(deps)
    for doc in store.grants_of(keys):
        mine = out[doc["person_key"]]
        grant = _grant(doc)
        mine["grants"].append(grant)
        paid, total = mine["payments"], grant["payments"]
        paid["count"] += total["count"]
        paid["total_fen"] += total["total_fen"]
        paid["last_period"] = max(filter(None, (paid["last_period"], total["last_period"])), default=None)
    for doc in store.petitions_of(keys):
        for key in doc["person_keys"]:
            if key in out:
                out[key]["petitions"].append(_petition(doc))
    for doc in store.volunteers_of(keys):
        served = out[doc["person_key"]]["volunteer"]
        served["volunteer_ids"].append(doc["_id"])
        served["minutes"] += doc.get("minutes") or 0
        served["coins_credited"] += doc.get("coins_credited") or 0
        served["hours"] = round(served["minutes"] / 60, 2)
    for doc in store.registers_of(keys):
        out[doc["person_key"]]["registers"].append(_register(doc))
    return out


def merged(parts: list[dict]) -> dict:
    """One person's activity found under several keys (current and retired blind-index keys) as one."""
    out = _empty()
    for part in parts:
        out["grants"] += part["grants"]
        paid, more = out["payments"], part["payments"]
        paid["count"] += more["count"]
        paid["total_fen"] += more["total_fen"]
        paid["last_period"] = max(filter(None, (paid["last_period"], more["last_period"])), default=None)
        known = {p["petition_id"] for p in out["petitions"]}
        out["petitions"] += [p for p in part["petitions"] if p["petition_id"] not in known]
        served, given = out["volunteer"], part["volunteer"]
        served["volunteer_ids"] += given["volunteer_ids"]
        served["minutes"] += given["minutes"]
        served["coins_credited"] += given["coins_credited"]
        out["registers"] += part["registers"]
    out["volunteer"]["hours"] = round(out["volunteer"]["minutes"] / 60, 2)
    out["petitions"].sort(key=lambda p: p.get("filed_at") or "", reverse=True)
    return out


def summary(members: list[dict]) -> dict:
    """The household's figures over its members: what a grid worker reads first."""
    grants = [g for m in members for g in m["activity"]["grants"]]
    return {"members": len(members),
            "grants_active": sum(1 for g in grants if g["status"] == "active"),
            "payments_total_fen": sum(m["activity"]["payments"]["total_fen"] for m in members),
            "petitions": len({p["petition_id"] for m in members for p in m["activity"]["petitions"]}),
            "volunteer_hours": round(sum(m["activity"]["volunteer"]["minutes"] for m in members) / 60, 2)}
