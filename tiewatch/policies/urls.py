"""Public pages of the policies app, mounted at the site root. Lists take `?format=csv|json`."""

from django.urls import path

from tiewatch.policies import views
from tiewatch.policies.listscreen import views as list_views

app_name = "policies"
urlpatterns = [
    path("policies/", views.policy_list, name="list"),
    path("policies/places/", views.places, name="places"),
    path("policies/findings/", views.findings, name="findings"),
    path("policies/runs/", views.runs, name="runs"),
    path("policies/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("policies/screen-list/", list_views.upload, name="screen_list"),
    path("policies/screen-list/<int:list_id>/", list_views.detail, name="screen_list_detail"),
    path("policies/screen-list/<int:list_id>/download.<str:fmt>", list_views.download, name="screen_list_download"),
    path("policies/screen-list/<int:list_id>/delete/", list_views.delete, name="screen_list_delete"),
    path("policies/<str:policy_id>/", views.policy_detail, name="detail"),
    path("check/", views.check, name="check"),
]
