"""Public pages of the policies app, mounted at the site root. Lists take `?format=csv|json`."""

from django.urls import path

from tiewatch.policies import views

app_name = "policies"
urlpatterns = [
    path("policies/", views.policy_list, name="list"),
    path("policies/places/", views.places, name="places"),
    path("policies/findings/", views.findings, name="findings"),
    path("policies/runs/", views.runs, name="runs"),
    path("policies/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("policies/<str:policy_id>/", views.policy_detail, name="detail"),
    path("check/", views.check, name="check"),
]
