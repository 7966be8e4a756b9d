"""Applications by their applicant's person key (#22): the residents' door finds an application staff took at the
window for a resident by the key their token carries (`liandong.personal.person_key`, docs/events.md#person_key)."""
from __future__ import annotations

from liandong.listing import Page

from ..domain import cases


class KeyedByApplicant:
    """Mixed into the applications' repository (it gives `applicant_key`, `plain`, `_page` and the collection)."""

    def to_document(self, a: cases.Application) -> dict:
        # the applicant (申请人) by the platform's pseudonym, stored beside the sealed household: the residents'
        # door finds an application taken at the window for them by the key their token carries (#22)
        return {**super().to_document(a), "person_key": self.applicant_key(a.household)}

    def prepare(self) -> None:
        super().prepare()
        self.key_people()

    def key_people(self) -> int:
        """Applications stored before they carried `person_key` get it once, from the encrypted household (a
        step at the worker's start; idempotent: one that has the field is left alone). Returns those keyed."""
        keyed = 0
        for doc in self.collection.find({"person_key": {"$exists": False}}, projection={"household": 1}):
            key = self.applicant_key(self.plain(doc).get("household"))
            keyed += self.collection.update_one({"_id": doc["_id"], "person_key": {"$exists": False}},
                                                {"$set": {"person_key": key}}).matched_count
        return keyed

    def of_resident(self, user_id: str, key: str | None, page: int, page_size: int) -> Page:
        """A resident's own applications, newest first: filed at their door (their login) or, with a person key,
        taken by staff with them as the applicant."""
        who = {"$or": [{"applicant_user_id": user_id}, {"person_key": key}]} if key else {"applicant_user_id": user_id}
        return self._page(who, [("submitted_at", -1), ("_id", 1)], page, page_size)
