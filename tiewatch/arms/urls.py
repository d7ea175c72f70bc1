from django.urls import path

from . import views

app_name = "arms"
urlpatterns = [
    path("", views.index, name="index"),
    path("country/<str:name>/", views.country, name="country"),
    path("pair/<str:supplier>/<str:recipient>/", views.pair, name="pair"),
]
