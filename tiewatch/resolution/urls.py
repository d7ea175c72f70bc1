"""Staff pages of entity resolution, mounted at /resolution/ by config/urls.py."""

from django.urls import path

from tiewatch.resolution import views

app_name = "resolution"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("pairs/<int:pair_id>/decide/", views.decide_pair, name="decide"),
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/<int:decision_id>/undo/", views.undo_decision, name="undo"),
]
