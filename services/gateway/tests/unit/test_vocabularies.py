"""The services' vocabularies as the gateway reads them: from the service's answer, kept a while, never invented."""
import json

from gateway.adapters.proxy import ServiceUnavailable, Upstream
from gateway.adapters.vocabularies import Vocabularies


class FakeProxy:
    """Answers each service's config as given; a service set to None is down."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.calls: list[tuple[str, str]] = []

    def forward(self, service, method, path, query, headers, body):
        self.calls.append((service, headers["Authorization"]))
        answer = self.answers.get(service)
        if answer is None:
            raise ServiceUnavailable(service, "down")
        status, doc = answer
        return Upstream(status, json.dumps(doc).encode(), {"Content-Type": "application/json"})


WELFARE = (200, {"items": [{"code": "dibao_urban", "name": "城市最低生活保障"}, {"code": "new_aid", "name": "新设救助"}],
                 "total": 2, "page": 1, "page_size": 20})
PETITION = (200, {"categories": {"property": {"name": "物业管理", "group": "property"}},
                  "channels": {"visit": "来访"}, "satisfaction": {"not": "不满意"}, "handling_modes": {}})
VOLUNTEER = (200, {"items": [{"type": "elderly_care", "name": "助老", "builtin": True}], "patrol_coins_per_hour": 10})


def test_codes_and_labels_are_the_services_own_and_asked_once_per_ttl():
    now = [0.0]
    proxy = FakeProxy({"welfare": WELFARE, "petition": PETITION, "volunteer": VOLUNTEER, "security": (404, {})})
    v = Vocabularies(proxy, ttl=60, clock=lambda: now[0])
    labels = v.labels("Bearer a")
    assert labels["programme"] == {"dibao_urban": "城市最低生活保障", "new_aid": "新设救助"}
    assert labels["category"] == {"property": "物业管理"} and labels["channel"] == {"visit": "来访"}
    assert labels["activity_type"] == {"elderly_care": "助老"}
    assert labels["incident_type"] == {}  # security answers no vocabulary (404): nothing is made up
    assert v.by_field("Bearer a", "petition")["category"] == {"property": "物业管理"}
    asked = len(proxy.calls)
    v.labels("Bearer b")
    assert len(proxy.calls) == asked  # within the ttl: not asked again
    # the old welfare answer in the envelope's older key is read as well
    proxy.answers["welfare"] = (200, {"programmes": [{"code": "dibao_urban", "name": "城市低保(新名)"}]})
    now[0] = 61
    assert v.labels("Bearer b")["programme"] == {"dibao_urban": "城市低保(新名)"}


def test_a_service_down_or_refusing_keeps_what_was_known_and_is_asked_again():
    proxy = FakeProxy({"welfare": None})
    v = Vocabularies(proxy, ttl=60, clock=lambda: 0.0)
    assert v.labels("Bearer a", ("welfare",)) == {}  # down, never known: codes stay codes
    proxy.answers["welfare"] = (403, {"error": {}})
    assert v.labels("Bearer a", ("welfare",)) == {}  # this caller may not read it: asked again for the next
    proxy.answers["welfare"] = WELFARE
    assert v.labels("Bearer c", ("welfare",))["programme"]["new_aid"] == "新设救助"
    assert [c for c in proxy.calls if c[0] == "welfare"] == [("welfare", "Bearer a")] * 2 + [("welfare", "Bearer c")]
    assert v.labels(None, ("welfare",))["programme"]["new_aid"] == "新设救助"  # kept, whoever asks


class PagedProxy(FakeProxy):
    """Welfare's programmes in the one list envelope, 20 a page by default."""

    def __init__(self, codes):
        super().__init__({})
        self.codes = codes

    def forward(self, service, method, path, query, headers, body):
        if service != "welfare":
            raise ServiceUnavailable(service, "down")
        q = dict(p.split("=") for p in query.decode().split("&") if p) if query else {}
        page, size = int(q.get("page", 1)), int(q.get("page_size", 20))
        items = [{"code": c, "name": f"项目{c}"} for c in self.codes[(page - 1) * size:page * size]]
        doc = {"items": items, "total": len(self.codes), "page": page, "page_size": size}
        return Upstream(200, json.dumps(doc).encode(), {"Content-Type": "application/json"})


def test_every_programme_is_read_whatever_the_list_pages_by():
    codes = [f"p{i:03d}" for i in range(130)]
    labels = Vocabularies(PagedProxy(codes), clock=lambda: 0.0).labels("Bearer a", ("welfare",))
    assert sorted(labels["programme"]) == codes and labels["programme"]["p129"] == "项目p129"
