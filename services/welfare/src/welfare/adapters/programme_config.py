"""Loads the programme configuration (YAML) shipped with the service or named by a path."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..domain.programmes import Catalogue

DEFAULT = Path(__file__).resolve().parent.parent / "programmes.yaml"


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    with open(path or DEFAULT, encoding="utf-8") as fh:
        return Catalogue(yaml.safe_load(fh))


def write_compressed(path: str | Path, source: str | Path | None = None) -> Path:
    """The programmes with no 公示 period, for runs that play a year in minutes (the demo day, the load
    bench): a review may never shorten a programme's notice, so a compressed run configures it so."""
    with open(source or DEFAULT, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    for programme in (config.get("programmes") or {}).values():
        programme["notice_days"] = 0
    Path(path).write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Path(path)
