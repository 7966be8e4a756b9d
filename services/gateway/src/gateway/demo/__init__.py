"""The demo district that `make run` loads on first start."""
from __future__ import annotations

from importlib import resources

import yaml


def demo_district() -> dict:
    return yaml.safe_load(resources.files(__package__).joinpath("district.yaml").read_text(encoding="utf-8"))
