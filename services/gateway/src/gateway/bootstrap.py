"""Composition root of the gateway: the only place that wires its adapters together."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from flask import Flask, g, request

from liandong import open311
from liandong.auth import TokenService
from liandong.config import ConfigError, Settings
from liandong.imports.jobs import ImportJobs
from liandong.platform import Platform
from liandong.worker import Worker

from . import DOMAIN_SERVICES, SERVICE
from .adapters.audit_log import AuditLog
from .adapters.idempotency import IdempotencyStore
from .adapters.kept_reports import KeptReports
from .adapters.org_repository import OrgRepository
from .adapters.report_filings import Approvals, Narratives, Profiles
from .adapters.proxy import ServiceProxy
from .adapters.rate_limit import RateLimiter, RateLimitWindows
from .adapters.service_clients import ServiceDirectory
from .adapters.service_clients import ServiceStatus
from .adapters.user_repository import RevocationLog, SessionStore, UserRepository
from .adapters.vocabularies import Vocabularies
from .adapters.worker_counts import WorkerCounts
from . import console, handlers
from .api import (audit_routes, auth_routes, demo_routes, docs, export_routes, filing_routes, idempotent_posts,
                  imports, monthly_report_routes, org_routes, proxy_routes, report_routes, resident_routes,
                  user_routes)
from .demo import demo_district
from .domain.monthly import WorkingDays, parse_holidays
from .handlers.reports_projector import ReportsProjector
from .service_layer.exports import Exports
from .service_layer.identity import Identity, ensure_first_accounts
from .service_layer.residents import Residents
from .service_layer.imports import kinds as import_kinds
from .service_layer.monthly_reports import MonthlyReports
from .service_layer.org import import_tree
from .service_layer.reports import OrgIndex, Reports
from .service_layer.sign_off import ReportNarratives, SignOff, UnitProfiles

log = logging.getLogger(__name__)

PUBLIC = ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/docs", "/open311", *resident_routes.PUBLIC)


@dataclass(frozen=True)
class GatewayOptions:
    """Tuning of the edge (rate limits counted in the gateway's database: every gateway process counts
    the same requests; fixed windows, see adapters/rate_limit.py)."""

    login_attempts: int = 10          # per username + IP ...
    login_window: float = 60.0        # ... per this many seconds
    public_requests: int = 120        # per IP on the public endpoints ...
    public_window: float = 60.0       # ... per this many seconds
    connect_timeout: float = 1.0
    read_timeout: float = 10.0
    upload_read_timeout: float = 60.0  # an office's ledger (POST …/imports/…): every row checked before the answer;
    # and a photo or document (POST …/attachments: decoded, re-encoded, stored) — #22
    retries: int = 2                  # GET only
    breaker_threshold: int = 3
    breaker_reset: float = 10.0
    vocabulary_ttl: float = 60.0      # how long the services' codes and labels are kept before asking again
    vocabulary_timeout: float = 1.5   # how long a report waits for a service's labels (then shows codes)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "GatewayOptions":
        """The login limit is an operator's choice (a training room of 40 on one NAT address logs in often);
        the rest keep their defaults."""
        env = os.environ if environ is None else environ
        try:
            return cls(login_attempts=int(env.get("LIANDONG_LOGIN_ATTEMPTS", cls.login_attempts)),
                       login_window=float(env.get("LIANDONG_LOGIN_WINDOW", cls.login_window)))
        except ValueError as e:
            raise ConfigError(f"LIANDONG_LOGIN_ATTEMPTS / LIANDONG_LOGIN_WINDOW must be numbers: {e}") from None


def create_platform(settings: Settings | None = None, **overrides) -> Platform:
    return Platform.create(SERVICE, settings, **overrides)


def identity_for(platform: Platform, org: OrgRepository) -> Identity:
    s, deps = platform.settings, platform.deps
    tokens = TokenService(s.secret_key, ttl_seconds=s.access_token_seconds, previous=s.previous_secret_keys,
                          clock=lambda: platform.clock.now().timestamp())
    return Identity(UserRepository(deps), SessionStore(deps), RevocationLog(deps), org, tokens,
                    platform.clock, s.access_token_seconds, s.refresh_token_seconds)


def prepare(platform: Platform, org: OrgRepository, identity: Identity) -> None:
    org.prepare()
    identity.users.prepare()
    identity.sessions.prepare()
    identity.revocations.prepare()
    IdempotencyStore(platform.deps).prepare()
    AuditLog(platform.deps).prepare()
    RateLimitWindows(platform.deps).prepare()
    ImportJobs(platform.deps).prepare()
    Approvals(platform.deps).prepare()
    Profiles(platform.deps).prepare()
    KeptReports(platform.deps).prepare()


def projector_for(platform: Platform, org: OrgRepository) -> ReportsProjector:
    """The reports read model, fed from every domain service's topic (worker) and read by the app."""
    return ReportsProjector(platform.deps, platform.bus, platform.registry, OrgIndex(org).community_of)


def install_reports(app: Flask, platform: Platform, org: OrgRepository, vocabularies: Vocabularies | None = None,
                    status: ServiceStatus | None = None) -> ReportsProjector:
    """The reports' routes on `app` (and their filing: sign-off, profiles, narratives); returns their projector
    (tests run it by hand)."""
    orgs = OrgIndex(org)
    projector = ReportsProjector(platform.deps, platform.bus, platform.registry, orgs.community_of)
    deps = platform.deps
    approvals = Approvals(deps)
    reports = Reports(projector, orgs, platform.clock, status or ServiceStatus(platform.settings, DOMAIN_SERVICES),
                      vocabularies, approvals)
    filing = {"orgs": orgs, "audit": AuditLog(deps), "clock": platform.clock,
              "correlation": lambda: g.get("correlation_id")}
    profiles, narratives = UnitProfiles(profiles=Profiles(deps), **filing), ReportNarratives(narratives=Narratives(deps), **filing)
    workers = WorkerCounts(vocabularies.proxy) if vocabularies else None  # asked as the labels are (#21)
    app.register_blueprint(report_routes.blueprint(reports, profiles, narratives, workers))
    app.register_blueprint(filing_routes.blueprint(SignOff(approvals=approvals, reports=reports, **filing), profiles,
                                                   narratives))
    app.register_blueprint(monthly_report_routes.blueprint(
        monthly_reports(platform, reports, profiles, audit=filing["audit"], correlation=filing["correlation"],
                        narratives=narratives)))
    return projector


def monthly_reports(platform: Platform, reports: Reports, profiles: UnitProfiles, clock=None, **kw) -> MonthlyReports:
    """The monthly reports kept (月报); the offices' holidays from `LIANDONG_HOLIDAYS` (dates, comma-separated;
    unset: the 2026 public holidays), the gateway's own small list: it reads no other service's calendar."""
    return MonthlyReports(reports, KeptReports(platform.deps), clock or platform.clock,
                          WorkingDays(parse_holidays(os.environ.get("LIANDONG_HOLIDAYS"))), profiles, **kw)


def scheduled_monthly_reports(platform: Platform, org: OrgRepository, clock=None) -> MonthlyReports:
    """What the worker runs each hour: the reports of the months due, as the schedule (no caller) makes them."""
    orgs = OrgIndex(org)
    projector = ReportsProjector(platform.deps, platform.bus, platform.registry, orgs.community_of)
    reports = Reports(projector, orgs, clock or platform.clock, approvals=Approvals(platform.deps))
    filing = {"orgs": orgs, "audit": AuditLog(platform.deps), "clock": clock or platform.clock}
    profiles = UnitProfiles(profiles=Profiles(platform.deps), **filing)
    narratives = ReportNarratives(narratives=Narratives(platform.deps), **filing)
    return monthly_reports(platform, reports, profiles, clock, narratives=narratives)


def create_app(settings: Settings | None = None, options: GatewayOptions | None = None, **overrides) -> Flask:
    options = options or GatewayOptions.from_env()
    platform = create_platform(settings, **overrides)
    services = ServiceDirectory(platform.settings, DOMAIN_SERVICES)
    readiness = {name: (lambda n=name: services.readiness(n)) for name in DOMAIN_SERVICES}
    app = platform.create_app(readiness=readiness, public=PUBLIC, serve_openapi=False)
    org = OrgRepository(platform.deps)
    identity = identity_for(platform, org)
    prepare(platform, org, identity)
    proxy = ServiceProxy(platform.settings, DOMAIN_SERVICES, options.connect_timeout, options.read_timeout,
                         options.retries, breaker_threshold=options.breaker_threshold,
                         breaker_reset=options.breaker_reset)
    audit = AuditLog(platform.deps)
    # the services' codes and labels, through a proxy of their own with short timeouts: a report answers
    # from the gateway's read model and must not wait on a hanging service for its labels
    vocabularies = Vocabularies(ServiceProxy(platform.settings, DOMAIN_SERVICES, options.connect_timeout,
                                             options.vocabulary_timeout, 0, breaker_threshold=options.breaker_threshold,
                                             breaker_reset=options.breaker_reset), ttl=options.vocabulary_ttl)
    windows = RateLimitWindows(platform.deps)  # counted in the database: the same for every gateway process
    install_edges(app, platform.settings,
                  RateLimiter(windows, "public", options.public_requests, options.public_window))
    idempotency = IdempotencyStore(platform.deps)
    idempotent_posts.install(app, idempotency, skip_prefixes=("/api/v1/auth/", "/open311/",
                                                              *(f"/api/v1/{s}/" for s in DOMAIN_SERVICES)))
    app.register_blueprint(auth_routes.blueprint(
        identity, RateLimiter(windows, "login", options.login_attempts, options.login_window)))
    app.register_blueprint(user_routes.blueprint(identity))
    app.register_blueprint(resident_routes.blueprint(Residents(  # 居民端 (#22); 实名核验 audited
        identity, identity.users.cipher, audit, lambda: g.get("correlation_id"))))
    app.register_blueprint(org_routes.blueprint(org))
    app.register_blueprint(imports.blueprint(platform.deps, import_kinds(org, identity), audit))
    app.register_blueprint(audit_routes.blueprint(audit, org))
    app.register_blueprint(docs.blueprint(app, proxy, DOMAIN_SERVICES))
    app.register_blueprint(proxy_routes.blueprint(proxy, DOMAIN_SERVICES, idempotency, audit,
                                                  options.upload_read_timeout))
    app.register_blueprint(export_routes.blueprint(Exports(proxy, audit, org.name_of, DOMAIN_SERVICES, vocabularies)))
    install_reports(app, platform, org, vocabularies)
    app.register_blueprint(console.blueprint())
    app.register_blueprint(demo_routes.blueprint(platform.settings.data_dir))  # the demo's history (#22)
    app.extensions["gateway"] = {"identity": identity, "proxy": proxy, "org": org, "audit": audit,
                                 "vocabularies": vocabularies}
    return app


def install_edges(app: Flask, settings: Settings, public_limiter: RateLimiter) -> None:
    """CORS for the configured origins only, security headers, and the per-IP limit on public endpoints."""
    origins = set(settings.cors_origins)

    @app.after_request
    def _open311_errors(response):
        # a 311 client reads every refusal on /open311/ in the standard's shape and format, the gateway's
        # own (a bad path, too many requests, petition unavailable) as well as the service's
        if request.path.startswith("/open311/"):
            return open311.reshape_platform_error(response, request.path)
        return response

    @app.before_request
    def _limit_public():
        if request.method != "OPTIONS" and request.path.startswith((*PUBLIC, "/api/openapi.json")):
            ok, wait = public_limiter.allow(request.remote_addr or "?")
            if not ok:
                raise auth_routes.TooManyRequests(f"too many requests; try again in {max(1, round(wait))} s")

    @app.after_request
    def _edges(resp):
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = ("Authorization, Content-Type, Idempotency-Key, "
                                                            "X-Correlation-ID")
            resp.headers["Access-Control-Expose-Headers"] = "X-Correlation-ID, Idempotent-Replayed, Retry-After"
            resp.headers["Access-Control-Max-Age"] = "600"
        if origins:
            resp.headers.add("Vary", "Origin")
        resp.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        resp.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        resp.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return resp


def personal_stores(platform: Platform) -> list:
    """Where the gateway keeps personal data (`python -m liandong.reencrypt gateway`): the first responses
    kept for Idempotency-Key replays, the staff's phone numbers. Its audit log records which fields were read, never their values."""
    from liandong.reencrypt import Store

    store = IdempotencyStore(platform.deps)
    users = UserRepository(platform.deps)
    return [Store(store.records, store.personal), Store(users.users, users.personal)]


def create_worker(settings: Settings | None = None, **overrides) -> Worker:
    platform = create_platform(settings, **overrides)
    repo = OrgRepository(platform.deps)
    identity = identity_for(platform, repo)
    prepare(platform, repo, identity)
    if platform.settings.env == "demo" and repo.count() == 0:
        created = import_tree(repo, demo_district())
        log.info("demo district loaded: %d org units", created)
    accounts = ensure_first_accounts(identity, platform.settings.env, platform.settings.admin_password)
    if accounts:
        log.info("first accounts created: %d", accounts)
    # the services' reports of personal-data reads and of imports (the gateway's own too: its worker reads its
    # own topic for the org tree), kept in the one audit trail
    worker = platform.create_worker(outbox_collections=[repo.units, identity.revocations.announcements,
                                                        ImportJobs(platform.deps).collection],
                                    handlers=handlers.handlers(AuditLog(platform.deps)),
                                    periodic=[(3600.0, lambda: purge_expired(platform, identity)),
                                              (60.0, monthly_reports_job(platform, repo))])
    worker.consumers.append(projector_for(platform, repo))  # read models from every service's events
    return worker


def monthly_reports_job(platform: Platform, org: OrgRepository, settle_seconds: float = 60.0):
    """The worker's monthly reports (each minute: cheap when nothing is due), from its first minute on: a worker
    just started lets its reports projector measure how far behind it is and catch up first."""
    monthly, started = scheduled_monthly_reports(platform, org), platform.clock.now()

    def monthly_reports():
        if (platform.clock.now() - started).total_seconds() >= settle_seconds:
            monthly.run()

    return monthly_reports


def purge_expired(platform: Platform, identity: Identity | None = None) -> dict:
    """Forget what can no longer matter: expired sessions, revocations of expired tokens, old idempotency keys,
    the counts of rate-limit windows that have ended."""
    identity = identity or identity_for(platform, OrgRepository(platform.deps))
    now = platform.clock.now_iso()
    return {"sessions": identity.sessions.purge_expired(now), "revoked_tokens": identity.revocations.purge_expired(now),
            "idempotency_keys": IdempotencyStore(platform.deps).purge_expired(now),
            "rate_limit_windows": RateLimitWindows(platform.deps).purge_expired(now)}
