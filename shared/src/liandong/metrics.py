"""Prometheus metrics at /metrics: HTTP rate, latency and errors, plus the worker's outbox backlog,
consumer lag and dead letters (read from the heartbeat the worker writes, so the web process can
report on its worker). Each app has its own registry: no global state between app instances.
"""
from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from .clock import Clock, from_iso
from .storage.base import Collection, StorageError
from .worker import HEARTBEAT_ID

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class WorkerCollector:
    def __init__(self, service: str, runtime: Collection, clock: Clock, gauges=()):
        self.service, self.runtime, self.clock = service, runtime, clock
        self.gauges = gauges  # the service's own figures: (name, help, fn) read at scrape time

    def collect(self):
        for name, help_text, fn in self.gauges:
            family = GaugeMetricFamily(name, help_text, labels=["service"])
            try:
                family.add_metric([self.service], float(fn()))
            except StorageError:
                continue
            yield family
        try:
            beat = self.runtime.find_one({"_id": HEARTBEAT_ID}) or {}
        except StorageError:
            beat = {}
        age = GaugeMetricFamily("liandong_worker_heartbeat_age_seconds", "Seconds since the worker's last heartbeat",
                                labels=["service"])
        if beat.get("at"):
            age.add_metric([self.service], (self.clock.now() - from_iso(beat["at"])).total_seconds())
        yield age
        pending = GaugeMetricFamily("liandong_outbox_pending_documents", "Documents with unpublished events",
                                    labels=["service"])
        pending.add_metric([self.service], beat.get("pending_outbox") or 0)
        yield pending
        published = GaugeMetricFamily("liandong_outbox_published_events", "Events the relay published since start",
                                      labels=["service"])
        published.add_metric([self.service], beat.get("published") or 0)
        yield published
        lag = GaugeMetricFamily("liandong_consumer_lag_messages", "Messages not yet committed by the group",
                                labels=["service", "group"])
        handled = GaugeMetricFamily("liandong_consumer_handled_events", "Events handled since start",
                                    labels=["service", "group"])
        dead = GaugeMetricFamily("liandong_dead_letters", "Messages dead-lettered since start",
                                 labels=["service", "group"])
        for group, stats in (beat.get("consumers") or {}).items():
            if stats.get("lag") is not None:
                lag.add_metric([self.service, group], stats["lag"])
            handled.add_metric([self.service, group], stats.get("handled") or 0)
            dead.add_metric([self.service, group], stats.get("dead_lettered") or 0)
        yield lag
        yield handled
        yield dead


def install(app: Flask, service: str, runtime: Collection, clock: Clock, gauges=()) -> CollectorRegistry:
    registry = CollectorRegistry()
    requests_total = Counter("liandong_http_requests", "HTTP requests", ["service", "method", "route", "status"],
                             registry=registry)
    latency = Histogram("liandong_http_request_duration_seconds", "HTTP request latency",
                        ["service", "method", "route"], buckets=BUCKETS, registry=registry)
    registry.register(WorkerCollector(service, runtime, clock, gauges))

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        if route != "/metrics":
            elapsed = time.perf_counter() - g.get("metrics_started", time.perf_counter())
            latency.labels(service, request.method, route).observe(elapsed)
            requests_total.labels(service, request.method, route, str(response.status_code)).inc()
        return response

    @app.get("/metrics")
    def metrics():
        from .web import error_body, sees_internals

        if not sees_internals(app.config["LIANDONG_SETTINGS"]):
            return error_body("forbidden", "metrics are for the cluster's monitoring and for admins", None, 403)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    return registry
