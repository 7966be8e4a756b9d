"""Open311 api keys: issued and revoked by a district admin, each for one app and one org unit.

The key store lives in the petition service, beside the Open311 endpoints that check it: a filing
is authenticated, placed and scoped in one place (the key's org unit decides where a request may
land), and the gateway stays a plain forwarder for `/open311/v2` with no Open311 knowledge of its own.
"""
from __future__ import annotations

from liandong.auth import Grant, Principal, out_of_scope
from liandong.errors import Forbidden, Unauthorized
from liandong.ids import new_id
from liandong.listing import Page

from ..adapters.api_keys import ApiKeyRepository
from ..domain import open311

ADMIN_PERMISSION = "users:admin"  # keys are credentials for apps: the district's user administrators issue them
DEMO_KEY = "liandong-demo-open311"  # documented in the README; seeded in demo mode only
DEMO_KEY_ID = "open311-demo"
DEMO_APP = "家园社区居民App (演示)"
DEMO_UNIT = "jiayuan"


class Open311Keys:
    def __init__(self, deps):
        self.deps = deps
        self.repo = ApiKeyRepository(deps)

    def prepare(self) -> None:
        self.repo.prepare()
        if self.deps.settings.env == "demo":
            self.seed_demo()

    def seed_demo(self) -> None:
        """The documented demo key for 家园社区's resident app; on every start, never twice, and a revoked one
        stays revoked."""
        self.repo.add_once({"_id": DEMO_KEY_ID, "digest": open311.key_digest(DEMO_KEY), "app": DEMO_APP,
                            "org_unit_id": DEMO_UNIT, "issued_at": self.deps.clock.now_iso(),
                            "issued_by": "demo", "revoked_at": None, "revoked_by": None})

    def _require_admin(self, principal: Principal) -> None:
        principal.require_district(ADMIN_PERMISSION, self.deps.org.root_paths())

    def issue(self, principal: Principal, app: str, org_unit_id: str) -> tuple[dict, str]:
        """A new key for `app` at `org_unit_id`: (its record, the key in clear — shown this once only)."""
        self._require_admin(principal)
        self.deps.org.path_of(org_unit_id)  # an active unit, or a 422 naming org_unit_id
        key = open311.new_key()
        doc = {"_id": new_id(), "digest": open311.key_digest(key), "app": app, "org_unit_id": org_unit_id,
               "issued_at": self.deps.clock.now_iso(), "issued_by": principal.user_id,
               "revoked_at": None, "revoked_by": None}
        self.repo.add(doc)
        return present(doc), key

    def list(self, principal: Principal, args: dict) -> Page:
        """`args`: a loaded `ListQuery`: keys of apps in `org_unit`'s subtree, issued `from`..`to`, newest first
        (a district holds a few dozen keys: filtered as read)."""
        self._require_admin(principal)
        within = self.deps.org.path_of(args["org_unit"], "org_unit") if args.get("org_unit") else None

        def wanted(doc: dict) -> bool:
            unit = self.deps.org.get(doc["org_unit_id"]) or {}
            return ((within is None or unit.get("path", "").startswith(within))
                    and (not args.get("from_") or doc["issued_at"] >= args["from_"])
                    and (not args.get("to") or doc["issued_at"] <= args["to"]))

        return Page.of_all([present(d) for d in self.repo.all() if wanted(d)], args["page"], args["page_size"])

    def revoke(self, principal: Principal, key_id: str) -> dict:
        self._require_admin(principal)
        if self.repo.get(key_id) is None:
            raise out_of_scope("api key", key_id)
        self.repo.revoke(key_id, self.deps.clock.now_iso(), principal.user_id)
        return present(self.repo.get(key_id))

    def authenticate(self, key: str | None) -> tuple[Principal, dict]:
        """The app an api_key belongs to, as a principal that may file in its org unit's subtree only.

        No key is 401; an unknown or revoked key 403 with one message for both (a revoked key tells no
        more than a made-up one)."""
        if not key:
            raise Unauthorized("api_key is required to submit a service request")
        doc = self.repo.by_digest(open311.key_digest(key)) if len(key) <= 200 else None
        if doc is None or doc.get("revoked_at"):
            raise Forbidden("api_key is not valid")
        unit = self.deps.org.get(doc["org_unit_id"])
        if unit is None or unit.get("retired"):
            raise Forbidden("api_key is not valid")  # its org unit is gone: the key no longer places anything
        app = Principal(f"open311-app:{doc['_id']}", doc["app"][:50],
                        (Grant("resident", doc["org_unit_id"], unit["path"]),))
        return app, {**doc, "org_path": unit["path"]}


def present(doc: dict) -> dict:
    """A key as the admin sees it: never its digest, never the key."""
    return {"id": doc["_id"], "app": doc["app"], "org_unit_id": doc["org_unit_id"], "issued_at": doc["issued_at"],
            "issued_by": doc.get("issued_by"), "revoked_at": doc.get("revoked_at"),
            "revoked_by": doc.get("revoked_by"), "active": not doc.get("revoked_at")}


