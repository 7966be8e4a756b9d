"""Loads the programme configuration (YAML) shipped with the service or named by a path."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..domain.programmes import Catalogue

DEFAULT = Path(__file__).resolve().parent.parent / "programmes.yaml"


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    with open(path or DEFAULT, encoding="utf-8") as fh:
        return Catalogue(yaml.safe_load(fh))
