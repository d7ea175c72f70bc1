"""AUTO and REVIEW, as calibrated by bench/calibrate_resolution.py into tables/thresholds.yaml."""

from __future__ import annotations

import yaml

from .tables import TABLES_DIR


def _load() -> tuple[float, float]:
    with open(TABLES_DIR / "thresholds.yaml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return float(raw["auto"]), float(raw["review"])


AUTO, REVIEW = _load()


def band(score: float) -> str:
    if score >= AUTO:
        return "auto"
    if score >= REVIEW:
        return "review"
    return "weak"
