"""The desk's models, one module per part of the desk (docs/desk.md)."""

from tiewatch.desk.models.follows import DigestSent, Follow
from tiewatch.desk.models.requests import RecordsRequest, RequestDocument, RequestStatusChange

__all__ = ["DigestSent", "Follow", "RecordsRequest", "RequestDocument", "RequestStatusChange"]
