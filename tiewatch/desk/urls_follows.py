"""Feeds and follow pages, mounted at the site root (docs/desk.md#following-and-alerts)."""

from django.urls import path

from tiewatch.desk import views_follows
from tiewatch.desk.feeds import RecordFeed

app_name = "desk_follows"
urlpatterns = [
    path("feeds/<str:kind>/<path:target>", RecordFeed(), name="feed"),
    path("follow/confirm/<str:token>/", views_follows.confirm, name="confirm"),
    path("follow/unsubscribe/<str:token>/", views_follows.unsubscribe, name="unsubscribe"),
    path("follow/<str:kind>/<path:target>", views_follows.follow, name="follow"),
]
