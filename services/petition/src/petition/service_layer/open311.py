"""Open311 GeoReport v2 use cases: a service request is a petition filed online through an app's api_key;
reading shows only requests filed through Open311."""
from __future__ import annotations

from datetime import timedelta

from liandong.auth import Principal
from liandong.clock import to_iso
from liandong.errors import Forbidden, NotFound

from ..domain.model import Petition
from .cases import Cases
from .intake import Intake

MAX_RESULTS = 1000
DEFAULT_WINDOW_DAYS = 90  # the standard's default when a list names no period


class Open311:
    def __init__(self, cases: Cases, intake: Intake):
        self.cases = cases
        self.intake = intake
        self.repo = cases.repo

    def jurisdictions(self) -> set[str]:
        """The jurisdiction_id values served here: the district (the org tree's root)."""
        return {path.strip("/").split("/")[0] for path in self.cases.org.root_paths()}

    def categories(self) -> dict:
        return self.cases.config.load()["categories"]

    def place(self, key_doc: dict, address_id: str) -> str:
        """Where to record it: address_id when it names an org unit inside the key's subtree, else the key's own
        unit. A unit outside the subtree is refused without saying where it is."""
        if address_id:
            unit = self.cases.org.get(address_id)
            if unit is not None and not unit.get("retired"):
                if not unit["path"].startswith(key_doc["org_path"]):
                    raise Forbidden("address_id is outside the area this api_key files for")
                return address_id
        return key_doc["org_unit_id"]

    def file(self, data: dict, filer: Principal, meta: dict) -> Petition:
        """Register the request as a petition of the online channel (`data` as `Intake.register` takes it)."""
        petition, _ = self.intake.register(data, filer, source="open311", open311=meta)
        return petition

    def requests(self, ids: list[str], codes: list[str], closed: bool | None, start: str | None,
                 end: str | None) -> list[dict]:
        if not ids and start is None and end is None:
            start = to_iso(self.cases.clock.now() - timedelta(days=DEFAULT_WINDOW_DAYS))
        return self.repo.open311_requests(ids, codes, closed, start, end, MAX_RESULTS)

    def request(self, request_id: str) -> dict:
        doc = self.repo.open311_request(request_id)
        if doc is None:
            raise NotFound(f"no service request {request_id[:100]!r}")
        return doc

    def token(self, token: str) -> str:
        found = self.repo.open311_token(token[:100])
        if found is None:
            raise NotFound(f"no token {token[:100]!r}")
        return found
