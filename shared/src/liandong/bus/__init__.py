"""Event-bus port and adapters; `open_bus` is the one place that picks the backend."""
from __future__ import annotations

from ..config import Settings
from .base import BusError, BusUnavailable, Consumer, EventBus, Message


def open_bus(settings: Settings) -> EventBus:
    bus = _open(settings)
    if settings.bus_namespace:
        from .namespaced import NamespacedBus

        return NamespacedBus(bus, settings.bus_namespace)
    return bus


def _open(settings: Settings) -> EventBus:
    if settings.bus == "kafka":
        from .kafka import KafkaBus

        return KafkaBus(settings.kafka_bootstrap_servers, client_id=f"liandong-{settings.service}",
                        partitions=settings.kafka_topic_partitions,
                        replication_factor=settings.kafka_replication_factor,
                        min_insync_replicas=settings.kafka_min_insync)
    from .embedded import EmbeddedBus

    return EmbeddedBus(settings.data_dir / "bus.db", synchronous=settings.sqlite_synchronous)


__all__ = ["BusError", "BusUnavailable", "Consumer", "EventBus", "Message", "open_bus"]
