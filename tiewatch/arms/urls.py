from django.urls import path

app_name = "arms"
urlpatterns: list = []
