"""JSON API of the campaigns app (mounted by config/api.py)."""

from ninja import Router

router = Router(tags=["campaigns"])
