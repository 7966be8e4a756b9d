"""/readyz and /metrics: ready or not for anyone; service URLs, errors, backlogs and metrics only for the
cluster's own networks (LIANDONG_CLUSTER_CIDRS, default loopback) and for admins."""
import pytest

from liandong.config import ConfigError, Settings
from liandong.platform import Platform
from liandong.testing import auth_headers

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def app_for(make_settings, store, **overrides):
    settings = make_settings(service="petition", store=store, **overrides)
    return Platform.create("petition", settings).create_app(
        readiness={"welfare": lambda: {"url": "http://welfare.internal:8002", "backlog": 4711}}), settings


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_outside_callers_get_ready_or_not_and_nothing_more(make_settings, store):
    app, settings = app_for(make_settings, store)
    c = app.test_client()
    outside = c.get("/readyz", environ_base=OUTSIDE)
    assert outside.status_code == 503  # the worker is not running: the status code still tells
    assert outside.get_json() == {"service": "petition", "ready": False}
    assert "welfare" not in outside.get_data(as_text=True)
    assert c.get("/readyz?check=database", environ_base=OUTSIDE).get_json() == {"service": "petition", "ready": True}
    unknown = c.get("/readyz?check=nope", environ_base=OUTSIDE)
    assert unknown.status_code == 400 and "welfare" not in unknown.get_data(as_text=True)
    assert c.get("/metrics", environ_base=OUTSIDE).status_code == 403
    # a proxied call (an ingress in the cluster forwarding an outside caller) is not the cluster
    forwarded = {"X-Forwarded-For": "198.51.100.1"}
    assert "checks" not in c.get("/readyz", headers=forwarded).get_json()
    assert c.get("/metrics", headers=forwarded).status_code == 403
    # a signed-in worker is not an operator
    worker = auth_headers(settings, "community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/")
    assert "checks" not in c.get("/readyz", headers=worker, environ_base=OUTSIDE).get_json()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_the_cluster_and_admins_see_the_detail(make_settings, store):
    app, settings = app_for(make_settings, store)
    c = app.test_client()
    local = c.get("/readyz").get_json()  # loopback: the default cluster
    assert local["checks"]["welfare"]["detail"]["url"] == "http://welfare.internal:8002"
    assert local["checks"]["worker"]["ready"] is False
    assert "liandong_http_requests_total" in c.get("/metrics").get_data(as_text=True)
    admin = auth_headers(settings, "district_admin", "chuanying", "/chuanying/")
    assert c.get("/readyz", headers=admin, environ_base=OUTSIDE).get_json()["checks"]["welfare"]["detail"]
    assert c.get("/metrics", headers=admin, environ_base=OUTSIDE).status_code == 200
    pods, _ = app_for(make_settings, store, cluster_networks=("10.0.0.0/8",))
    p = pods.test_client()
    assert "checks" in p.get("/readyz", environ_base={"REMOTE_ADDR": "10.244.1.9"}).get_json()
    assert p.get("/metrics", environ_base={"REMOTE_ADDR": "10.244.1.9"}).status_code == 200
    assert "checks" not in p.get("/readyz").get_json()  # loopback is not in the configured list


def test_cluster_networks_come_from_the_environment(tmp_path):
    base = {"LIANDONG_DATA_DIR": str(tmp_path)}
    assert Settings.from_env("gateway", base).cluster_networks == ("127.0.0.0/8", "::1/128")
    assert Settings.from_env("gateway", {**base, "LIANDONG_CLUSTER_CIDRS": "10.0.0.0/8, fd00::/8"}).cluster_networks \
        == ("10.0.0.0/8", "fd00::/8")
    with pytest.raises(ConfigError):
        Settings.from_env("gateway", {**base, "LIANDONG_CLUSTER_CIDRS": "everyone"})
