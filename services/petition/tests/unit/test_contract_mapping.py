"""Every domain event maps to a valid contract payload without personal data; personal data is encrypted at rest."""
from datetime import date, timedelta
from types import SimpleNamespace

from liandong.clock import FixedClock
from liandong.contracts import CONTRACTS
from liandong.crypto import FieldCipher
from liandong.personal import person_key

from petition.adapters.repository import PetitionRepository
from petition.domain import rules
from petition.domain.model import Actor, Petition

CAL = rules.Calendar()


def test_domain_events_map_to_valid_contracts():
    clock = FixedClock("2026-03-02T01:00:00.000000Z")
    actor = Actor("u-1", "李社工")
    case = Petition.register(
        petition_id="p-1", org_unit_id="jiayuan", org_path="/chuanying/huangqi/jiayuan/", org_level="community",
        category="environment_noise", channel="visit", content="电机厂噪音,扬言越级上访",
        petitioners=[{"name": "刘女士", "id_number": "11010519491231002X", "representative": True}], headcount=40,
        anonymous=False, actor=actor, now=clock.now(), calendar=CAL, categories=rules.DEFAULT_CATEGORIES)
    case.assign(unit={"kind": "department", "id": "environment", "name": "环保"}, person="王科长",
                deadline=date(2026, 3, 3), task="核查", requirement="书面答复", actor=actor, now=clock.now(),
                calendar=CAL)
    case.mark_overdue(now=clock.now() + timedelta(days=5), supervisor_level="subdistrict")
    case.start(mode="mediation", note="", actor=actor, now=clock.now())
    case.answer_petitioner(text="已处理", actor=actor, now=clock.now())
    case.close(satisfaction="basically", note="", actor=actor, now=clock.now())
    case.reopen(reason="反复", actor=actor, now=clock.now(), calendar=CAL, categories=rules.DEFAULT_CATEGORIES)
    case.escalate(reason="社区无法化解", actor=actor, now=clock.now(), calendar=CAL, categories=rules.DEFAULT_CATEGORIES)

    repo = PetitionRepository.__new__(PetitionRepository)  # mapping needs no storage, only the cipher
    repo.deps = SimpleNamespace(cipher=FieldCipher("unit-test-key"))
    published = [repo.publish(case, ev) for ev in case.events]
    names = [name for name, _ in published]
    assert names == ["petition.registered", "petition.risk_flagged", "petition.assigned", "petition.overdue",
                     "petition.escalated", "petition.answered", "petition.closed", "petition.escalated"]
    for name, data in published:
        CONTRACTS.validate_outgoing(CONTRACTS.by_name(name).type, data)
        assert "刘女士" not in str(data) and "11010519491231002X" not in str(data)
    # the petitioner by the platform's pseudonym (#19), as every service computes it from the ID number
    assert published[0][1]["person_keys"] == [person_key(repo.deps.cipher, "11010519491231002X")]
    doc = repo.stored(case)
    assert "11010519491231002X" not in str(doc) and "刘女士" not in str(doc)  # encrypted at rest
    assert doc["id_numbers"] == [repo.id_index("11010519491231002x")]  # found by its blind index
    back = repo.loaded(doc)
    assert back.timeline == case.timeline and back.petitioners == case.petitioners
    assert doc["has_risk"] and "噪音" in doc["search_terms"]
