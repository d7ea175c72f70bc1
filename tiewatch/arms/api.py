"""JSON API of the arms app (mounted by config/api.py)."""

from ninja import Router

router = Router(tags=["arms"])
