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


# The demo district's history (deploy/local/demo_history.py writes it; the console shows its progress).
HISTORY_PROGRESS = ("demo-history", "progress.json")
_SHOWN = ("state", "percent", "days_done", "days_total", "calls_done", "calls_total", "from", "to", "scale",
          "seconds", "error", "steps_refused", "refused")


def history_progress(data_dir) -> dict:
    """What the history's generator said last, or `off` when it never ran in this data directory."""
    import json
    from pathlib import Path

    try:
        doc = json.loads(Path(data_dir).joinpath(*HISTORY_PROGRESS).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {"state": "off", "percent": None}
    return {k: doc.get(k) for k in _SHOWN}
