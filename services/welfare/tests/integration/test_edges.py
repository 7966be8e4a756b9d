"""The welfare service's edges on the embedded default: health, readiness, JSON errors."""
from liandong.testing import check_service_edges

from welfare.bootstrap import create_app, create_worker


def test_health_readiness_and_errors(make_settings):
    check_service_edges(create_app, create_worker, make_settings(service="welfare"))
