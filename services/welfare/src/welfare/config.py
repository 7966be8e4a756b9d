"""Settings of the welfare service beyond the platform's: the programme file and the saga timeout."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class WelfareSettings:
    programmes_file: str | None = None  # WELFARE_PROGRAMMES_FILE; default: the programmes.yaml shipped in the package
    redemption_timeout_seconds: float = 24 * 3600  # WELFARE_REDEMPTION_TIMEOUT_SECONDS
    sweep_every_seconds: float = 60.0  # WELFARE_SWEEP_EVERY_SECONDS
    registers_file: str | None = None  # WELFARE_REGISTERS_FILE; default: the registers.yaml shipped (#20)

    @classmethod
    def from_env(cls) -> "WelfareSettings":
        return cls(os.environ.get("WELFARE_PROGRAMMES_FILE") or None,
                   float(os.environ.get("WELFARE_REDEMPTION_TIMEOUT_SECONDS", 24 * 3600)),
                   float(os.environ.get("WELFARE_SWEEP_EVERY_SECONDS", 60)),
                   os.environ.get("WELFARE_REGISTERS_FILE") or None)
