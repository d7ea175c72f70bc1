from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api
from tiewatch.site.views import api_index, site_search

# settings use SimpleAdminConfig so commands that never serve a page skip the admin modules.
admin.autodiscover()

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api_index, name="api_index"),
    path("api/", api.urls),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    path("search/", site_search, name="site_search"),
    path("", include("tiewatch.registry.urls")),
    path("", include("tiewatch.policies.urls")),
    path("arms/", include("tiewatch.arms.urls")),
    path("datasets/", include("tiewatch.datasets.browse.urls")),
    path("", include("tiewatch.campaigns.urls")),
    path("resolution/", include("tiewatch.resolution.urls")),
    path("desk/", include("tiewatch.desk.urls")),
    path("", include("tiewatch.desk.urls_requests")),
    path("", include("tiewatch.desk.urls_follows")),
]

handler404 = "tiewatch.site.views.page_not_found"
handler500 = "tiewatch.site.views.server_error"
