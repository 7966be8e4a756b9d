"""Property-based fuzzing of every service's OpenAPI document with schemathesis (issue #10, bad input).

Each of the five services is built in-process on the embedded backend (SQLite storage and event log,
the demo district loaded into the gateway's own database), its OpenAPI document is read from the app
itself, and schemathesis generates requests for every operation: valid ones (positive) and ones that
break the schema (negative: wrong types, missing fields, out-of-range values, odd unicode). Each
answer must not be a server error, must use a documented status code and content type, and must
match the documented response schema; an invalid request must be refused (4xx), and an operation
that needs a token must refuse the same request without one.

The callers are a district admin (every permission, the whole district: most requests get past
access control into the handlers) and an anonymous client. Generation is derandomized so CI sees
the same examples on every run; the number per operation is bounded so the module runs in a few
minutes on two cores.
"""
from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks as sc
from schemathesis.generation import GenerationMode

from liandong.openapi import spec_for
from liandong.registry import SERVICES
from liandong.testing import auth_headers

# examples per operation: (positive, negative)
BUDGET = {"district_admin": (20, 12), "anonymous": (3, 2)}

CHECKS = [sc.not_a_server_error, sc.status_code_conformance, sc.content_type_conformance,
          sc.response_schema_conformance, sc.response_headers_conformance]
NEGATIVE_CHECKS = [*CHECKS, sc.negative_data_rejection]


def build_app(service: str, settings):
    """The service's WSGI app on the embedded backend, and its OpenAPI document as the app serves it."""
    if service == "gateway":
        from gateway.bootstrap import GatewayOptions, create_app, create_worker

        create_worker(settings)  # loads the demo district and the first accounts (not started)
        app = create_app(settings, options=GatewayOptions(login_attempts=10**6, public_requests=10**6))
        # the gateway's own operations; the services' parts of its merged document are fuzzed on each service
        return app, spec_for(app, "Liandong gateway")
    module = __import__(f"{service}.bootstrap", fromlist=["create_app", "create_worker"])
    module.create_worker(settings)  # creates the indexes (not started)
    app = module.create_app(settings)
    resp = app.test_client().get("/api/openapi.json")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return app, resp.get_json()


def describe(exc: BaseException) -> list[str]:
    out = []
    for sub in getattr(exc, "exceptions", None) or [exc]:
        title = getattr(sub, "title", None) or type(sub).__name__
        message = str(getattr(sub, "message", sub)).replace("\n", " ")
        out.append(f"{title}: {message[:400]}")
    return out


@pytest.mark.parametrize("caller", list(BUDGET))
@pytest.mark.parametrize("service", SERVICES)
def test_fuzz_openapi_finds_no_server_error_and_no_spec_violation(service, caller, make_settings, fuzz_report):
    started = time.monotonic()
    cfg = make_settings(service=service)
    app, document = build_app(service, cfg)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    headers = auth_headers(cfg) if caller == "district_admin" else {}
    positive, negative = BUDGET[caller]
    examples: Counter = Counter()
    failures: dict[str, list[str]] = {}
    operations = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, count in ((GenerationMode.POSITIVE, positive), (GenerationMode.NEGATIVE, negative)):
            checks = CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS
            if caller == "district_admin" and "security" in operation.definition.raw:
                checks = [*checks, sc.ignored_auth]
            found: list[str] = []

            @settings(max_examples=count, deadline=None, derandomize=True, database=None, print_blob=False,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                examples[operation.label] += 1
                try:
                    case.call_and_validate(headers=headers, checks=checks)
                except (AssertionError, BaseExceptionGroup) as exc:  # keep going: report every failure
                    found.extend(f"{operation.label} [{mode.value}] {d}" for d in describe(exc))

            try:
                run()
            except Unsatisfiable:
                pass  # no invalid request exists for an operation without inputs
            for line in found:
                failures.setdefault(line.split(" [", 1)[0], [])
                if line not in failures[line.split(" [", 1)[0]]:
                    failures[line.split(" [", 1)[0]].append(line)

    total = sum(len(v) for v in failures.values())
    fuzz_report[(service, caller)] = {"operations": operations, "examples": sum(examples.values()),
                                      "failures": total, "seconds": time.monotonic() - started}
    print(f"\n[fuzz] {service} as {caller}: {operations} operations, {sum(examples.values())} examples, "
          f"{total} distinct failures")
    assert operations >= 10, f"{service} documents only {operations} operations"
    assert not failures, "\n".join(line for lines in failures.values() for line in lines[:5])
