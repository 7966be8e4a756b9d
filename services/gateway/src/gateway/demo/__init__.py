"""The demo district that `make run` loads on first start."""
from __future__ import annotations

from importlib import resources

import yaml

# The demo's one self-registered resident (居民端, #22): a made-up ID number with a valid check digit, a mobile
# from the range reserved for examples; signs in at /resident/ with the mobile and the demo password.
DEMO_RESIDENT = {"name": "王居民（演示）", "id_number": "220204198803150023", "mobile": "13800000022",
                 "community": "jiayuan"}


def demo_district() -> dict:
    return yaml.safe_load(resources.files(__package__).joinpath("district.yaml").read_text(encoding="utf-8"))
