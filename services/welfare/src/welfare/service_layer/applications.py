"""Applications (申请): eligibility checks, submission, community review and the public notice (公示),
objections, sub-district approval (which starts the grant) and rejection."""
from __future__ import annotations

from liandong.auth import Principal
from liandong.errors import Conflict, NotFound, ValidationFailed
from liandong.ids import new_id
from liandong.listing import Page
from liandong.repository import retry_on_conflict

from ..domain.cases import Application, Grant
from .common import UseCases, found, household_from


class Applications(UseCases):
    def programmes(self, q: dict) -> Page:
        """The configured programmes (a page of them). They hold in every unit of the district: `org_unit`
        is only checked to be a unit welfare knows (422 otherwise), as every list's is."""
        if q["org_unit"]:
            self.org.path_of(q["org_unit"], "org_unit")
        return Page.of_all([p.to_dict() for p in self.catalogue.programmes.values()], q["page"], q["page_size"])

    def check(self, p: Principal, programme: str, org_unit_id: str, household: dict):
        org_path = self.unit_path(p, "welfare:apply", org_unit_id)
        return self.catalogue.check(self.programme(programme), household_from(household), org_path, self.year(),
                                    self.today())

    def submit(self, p: Principal, body: dict) -> Application:
        org_path = self.unit_path(p, "welfare:apply", body["org_unit_id"])
        programme = self.programme(body["programme"])
        eligibility = self.catalogue.check(programme, household_from(body["household"]), org_path, self.year(),
                                           self.today())
        resident = "resident" in p.roles and not p.can("welfare:review", org_path)
        app = Application.submit(new_id(), org_path, body["org_unit_id"], programme.code, body["household"],
                                 "online" if resident else body.get("channel", "window"), p.user_id,
                                 self.clock.now_iso(), eligibility, p.user_id if resident else None)
        return self.stores.applications.add(app)

    def search(self, p: Principal, q: dict) -> Page:
        """Staff: the applications in their sight (or the `org_unit` filter's subtree); a resident: their own."""
        filters = dict(status=q.get("status"), programme=q.get("programme"), since=q.get("from_"), until=q.get("to"),
                       page=q["page"], page_size=q["page_size"])
        if p.has("welfare:read"):
            return self.stores.applications.page(scope=self.scope(p, "welfare:read", q.get("org_unit")), **filters)
        p.require("welfare:read_own")
        return self.stores.applications.page(applicant=p.user_id, **filters)

    def get(self, p: Principal, app_id: str) -> Application:
        app = found(self.stores.applications, "application", app_id)
        if app.applicant_user_id == p.user_id and p.has("welfare:read_own"):
            return app
        p.authorize("welfare:read", app.org_path, read="welfare:read", what="application", record_id=app_id)
        return app

    def _change(self, p: Principal, app_id: str, permission, mutate) -> Application:
        """Load, check access, change, save — again on a concurrent change. `permission` may depend on
        the application's state (a function of it). A retried request (same Idempotency-Key) answers
        the application as its first attempt left it."""
        def attempt() -> Application:
            app = found(self.stores.applications, "application", app_id)
            needed = permission(app) if callable(permission) else permission
            p.authorize(needed, app.org_path, read="welfare:read", what="application", record_id=app_id)
            mutate(app)
            return self.stores.applications.save(app)

        return retry_on_conflict(attempt)

    def review(self, p: Principal, app_id: str, body: dict) -> Application:
        def mutate(app):
            configured = self.programme(app.programme).notice_days
            notice = body.get("notice_days")
            if notice is None:
                notice = configured
            elif notice < configured:
                # the 公示 is the programme's (policy), not the reviewer's: it may be longer, never shorter
                raise ValidationFailed("the public notice is shorter than the programme's", {
                    "notice_days": [f"at least {configured} days for {app.programme}"]})
            app.community_review(body["decision"] == "pass", p.user_id, self.clock.now(), notice,
                                 body.get("note", ""))
        return self._change(p, app_id, "welfare:review", mutate)

    def object(self, p: Principal, app_id: str, body: dict) -> dict:
        raised: list = []

        def mutate(app):
            raised[:] = [app.object(new_id(), body["text"], body.get("raised_by") or p.user_id, self.clock.now_iso())]
        app = self._change(p, app_id, "welfare:review", mutate)
        # a retry (same Idempotency-Key) changed nothing: its answer is the objection its first attempt raised
        return raised[0] if raised else app.objections[-1]

    def resolve_objection(self, p: Principal, app_id: str, objection_id: str, body: dict) -> Application:
        return self._change(p, app_id, "welfare:review", lambda app: app.resolve_objection(
            objection_id, body["upheld"], body["note"], p.user_id, self.clock.now_iso()))

    def reject(self, p: Principal, app_id: str, body: dict) -> Application:
        def stage(app) -> str:
            return "community_review" if app.status == "submitted" else "subdistrict_approval"

        return self._change(p, app_id, lambda a: "welfare:review" if stage(a) == "community_review" else "welfare:approve",
                            lambda a: a.reject(stage(a), body["reason"], p.user_id, self.clock.now_iso()))

    def approve(self, p: Principal, app_id: str) -> tuple[Application, Grant]:
        def approve(app):
            # the household is re-checked against the line of the year it is approved in
            eligibility = self.catalogue.check(self.programme(app.programme), household_from(app.household),
                                               app.org_path, self.year(), self.today())
            app.approve(f"g-{app.id}", eligibility, p.user_id, self.clock.now_iso())

        # a retry (same Idempotency-Key) finds it approved already: the grant follows it
        app = self._change(p, app_id, "welfare:approve", approve)
        return app, self.start_grant(app)

    def start_grant(self, app: Application) -> Grant:
        """The grant of an approved application (started again by the worker if a crash came between)."""
        grants = self.stores.grants
        try:
            return grants.get(app.grant_id)
        except NotFound:
            pass
        programme = self.programme(app.programme)
        # it starts when the application was approved, also when the worker repairs it later (a crash, or the worker
        # handling the approval before the approving request got here): its first month paid is the approval's
        approved_at = next((h["at"] for h in reversed(app.history) if h["step"] == "approved"), None)
        grant = Grant.start(app.grant_id, app, programme.schedule, app.eligibility["amount_fen"],
                            approved_at or self.clock.now_iso(), programme.review_every_months)
        try:
            return grants.add(grant)
        except Conflict:
            return grants.get(app.grant_id)
