"""JSON API of the registry app (mounted by config/api.py)."""

from ninja import Router

router = Router(tags=["registry"])
