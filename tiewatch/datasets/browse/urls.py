"""The datasets' pages, mounted at /datasets/ by config/urls.py."""

from django.urls import path

from tiewatch.datasets.browse import views

app_name = "datasets"
urlpatterns = [
    path("", views.dataset_list, name="dataset_list"),
    path("<slug:name>/", views.dataset_detail, name="dataset_detail"),
]
