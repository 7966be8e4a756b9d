"""petition.registered names its petitioners by the platform's pseudonym, never by ID number (#19).

The security service's one file per household (一户一档) finds a household's petitions by the `person_key`
of its members: the petition service computes one per named petitioner from the ID number with the
platform's one cipher (`liandong.personal.person_key`); the ID numbers stay here, encrypted.
"""
from __future__ import annotations

import json

import pytest

from liandong.personal import person_key
from liandong.testing import wait_for

REGISTERED = "liandong.petition.registered.v1"


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_petition_registered_carries_each_petitioners_person_key_and_no_id_number(make_svc, store):
    svc = make_svc(store)
    first, second = svc.id_number("19620304"), svc.id_number("19880917")
    case = svc.file(org_unit="jiayuan", headcount=3, petitioners=[
        {"name": "刘女士", "id_number": first, "mobile": "13904321234"},
        {"name": "王先生", "id_number": second},
        {"name": "赵大爷"}])  # named without an ID number: no key for him
    event = wait_for(lambda: next((e for e in svc.events({REGISTERED}) if e.data["petition_id"] == case["id"]), None),
                     20, message="petition.registered on petition's topic")
    cipher = svc.platform.deps.cipher
    assert event.data["person_keys"] == sorted([person_key(cipher, first), person_key(cipher, second)])
    wire = json.dumps(event.to_dict(), ensure_ascii=False)
    assert first not in wire and second not in wire and "刘女士" not in wire
