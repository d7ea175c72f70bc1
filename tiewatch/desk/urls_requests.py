"""Records request pages, mounted at the site root (docs/desk.md#public-records-requests)."""

from django.urls import path

from tiewatch.desk import views_requests

app_name = "desk_requests"
urlpatterns = [
    path("requests/", views_requests.request_list, name="list"),
    path("requests/new/", views_requests.request_new, name="new"),
    path("requests/<int:pk>/", views_requests.request_detail, name="detail"),
    path("requests/<int:pk>/status/", views_requests.request_status, name="status"),
    path("requests/<int:pk>/documents/new/", views_requests.document_new, name="document_new"),
    path("requests/<int:pk>/documents/<int:doc_id>/", views_requests.document, name="document"),
    path("requests/<int:pk>/documents/<int:doc_id>/cite/", views_requests.document_cite, name="document_cite"),
]
