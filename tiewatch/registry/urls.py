"""Public pages of the registry, mounted at the site root. Lists take `?format=csv` / `?format=json`."""

from django.urls import path

from tiewatch.registry import views
from tiewatch.registry.archive import views as archive_views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("ties/", views.tie_list, name="tie_list"),
    path("ties/<str:tie_id>/", views.tie_detail, name="tie_detail"),
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/<str:entity_id>/", views.entity_detail, name="entity_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<str:source_id>/", views.source_detail, name="source_detail"),
    path("sources/<str:source_id>/archive/", archive_views.archived_copy, name="source_archive"),
    path("sources/<str:source_id>/archive/text/", archive_views.archived_text, name="source_archive_text"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("jurisdictions/<path:ocd>/", views.jurisdiction_detail, name="jurisdiction_detail"),
    path("search/", views.search, name="search"),
]
