"""What every service's domain builds on: domain events as plain, frozen facts. No I/O.

A domain event is something that happened to one aggregate, recorded by the aggregate itself
(`aggregate.events.append(...)`); its repository maps it to an integration event (a contract) as it
saves. A subclass is a frozen dataclass by being one — a fact does not change once it happened — so a
service declares an event as `class GrantEnded(DomainEvent): reason: str`, without the decorator.
"""
from __future__ import annotations

from dataclasses import dataclass


class DomainEvent:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)
