from django.contrib import admin
from django.urls import include, path

from config.api import api

# settings use SimpleAdminConfig so commands that never serve a page skip the admin modules.
admin.autodiscover()

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("tiewatch.registry.urls")),
    path("", include("tiewatch.policies.urls")),
    path("arms/", include("tiewatch.arms.urls")),
    path("", include("tiewatch.campaigns.urls")),
    path("", include("tiewatch.desk.urls_requests")),
    path("", include("tiewatch.desk.urls_follows")),
]

handler404 = "tiewatch.site.views.page_not_found"
handler500 = "tiewatch.site.views.server_error"
