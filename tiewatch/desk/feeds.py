"""Atom 1.0 feeds of a followed record (Django's syndication framework): no account needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed

from tiewatch.campaigns.conf import site_url
from tiewatch.core.errors import NotFound
from tiewatch.desk import activity
from tiewatch.desk.follows_service import feed_path


class RecordFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, kind: str, target: str) -> activity.Target:
        try:
            return activity.target(kind, target.rstrip("/"))
        except NotFound as exc:
            raise Http404(exc.message) from None

    def title(self, obj: activity.Target) -> str:
        return f"tiewatch: {obj.title}"

    def link(self, obj: activity.Target) -> str:
        return obj.page

    def feed_url(self, obj: activity.Target) -> str:
        return feed_path(obj.kind, obj.id)

    def subtitle(self, obj: activity.Target) -> str:
        return f"Public changes, new policy findings and records requests about {obj.title}."

    def items(self, obj: activity.Target) -> list[activity.Item]:
        return activity.items(obj)

    def item_title(self, item: activity.Item) -> str:
        return item.title

    def item_description(self, item: activity.Item) -> str:
        return item.summary

    def item_link(self, item: activity.Item) -> str:
        return item.link

    def item_guid(self, item: activity.Item) -> str:
        return f"{site_url()}/feeds/entry/{item.key}"

    def item_guid_is_permalink(self, item: activity.Item) -> bool:
        return False

    def item_updateddate(self, item: activity.Item) -> dt.datetime:
        return item.at

    def item_pubdate(self, item: activity.Item) -> dt.datetime:
        return item.at

    def item_extra_kwargs(self, item: activity.Item) -> dict[str, Any]:
        return {}
