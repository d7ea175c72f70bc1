"""JSON API of the policies app (mounted by config/api.py)."""

from ninja import Router

router = Router(tags=["policies"])
