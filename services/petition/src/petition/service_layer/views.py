"""A case as its caller may see it: staff the internal state, a resident the public status; personal
numbers masked without personal_data:read; cases out of the caller's sight not named."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.idnumbers import mask, mask_address, mask_mobile

from ..domain.model import Petition


def brief(doc: dict) -> dict:
    """A possible duplicate as registration and `/duplicates` show it."""
    return {"id": doc["_id"], "category": doc["category"], "org_unit_id": doc["org_unit_id"],
            "registered_at": doc["registered_at"], "state": doc["state"]}


def timeline_of(p: Petition, hidden: set[str] = frozenset()) -> list[dict]:
    """The timeline, with the cases it names that the caller may not see (`hidden`) left out."""
    if not hidden:
        return p.timeline
    out = []
    for entry in p.timeline:
        details = entry.get("details")
        if isinstance(details, dict) and hidden & {v for v in details.values() if isinstance(v, str)}:
            entry = {**entry, "details": {k: (None if v in hidden else v) for k, v in details.items()}}
        out.append(entry)
    return out


def present(p: Petition, principal: Principal, *, full: bool = True, hidden: set[str] = frozenset()) -> dict:
    """A case as the caller may see it: staff see the internal state, residents the public status;
    ID and mobile numbers and addresses are masked without personal_data:read; `hidden`: the cases
    out of the caller's sight (`Cases.out_of_sight`), not named."""
    staff = principal.can("petition:read", p.org_path) or principal.can("petition:handle", p.org_path)
    unmasked = principal.can("personal_data:read", p.org_path)
    if not staff:
        return {"id": p.id, "status": p.public_status, "category": p.category, "channel": p.channel,
                "org_unit_id": p.org_unit_id, "title": p.title, "content": p.content,
                "registered_at": p.registered_at, "deadline": p.deadline,
                "answer": {"text": p.answer["text"], "at": p.answer["at"]} if p.answer else None,
                "satisfaction": p.satisfaction}
    petitioners = [x if unmasked else {**x, "id_number": mask(x.get("id_number")),
                                       "mobile": mask_mobile(x.get("mobile")),
                                       "address": mask_address(x.get("address"))} for x in p.petitioners]
    out = {"id": p.id, "state": p.state, "status": p.public_status, "org_unit_id": p.org_unit_id,
           "org_path": p.org_path, "level": p.level, "category": p.category, "channel": p.channel,
           "title": p.title, "content": p.content, "anonymous": p.anonymous, "is_group": p.is_group,
           "headcount": p.headcount, "petitioners": petitioners, "attachments": p.attachments,
           "registered_at": p.registered_at, "first_receiver": p.first_receiver, "owner": p.owner,
           "deadline": p.deadline, "due_at": p.due_at, "reminded": p.reminded, "overdue": p.overdue,
           "overdue_count": p.overdue_count,
           "risk_flags": p.risk_flags, "assignment": p.current_assignment, "handling_mode": p.handling_mode,
           "answer": p.answer, "answered_on_time": p.answered_on_time, "satisfaction": p.satisfaction,
           "closed_at": p.closed_at, "escalations": p.escalations, "supervision": p.supervision,
           "suspension": p.suspension, "mediations": p.mediations,
           "matter_id": None if p.matter_id in hidden else p.matter_id,
           "linked_ids": [i for i in p.linked_ids if i not in hidden], "reception": p.reception,
           "reopened_count": p.reopened_count, "source": p.source, "updated_at": p.updated_at, "version": p.version}
    if full:
        out["assignments"] = p.assignments
    return out
