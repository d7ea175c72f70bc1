from django.urls import path

from tiewatch.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("petitions/", views.petition_list, name="petition_list"),
    path("petitions/<slug:slug>/", views.petition_detail, name="petition_detail"),
    path("petitions/<slug:slug>/thanks/", views.petition_thanks, name="petition_thanks"),
    path("petitions/<slug:slug>/confirm/<str:token>/", views.petition_confirm, name="petition_confirm"),
    path("petitions/<slug:slug>/moderate/", views.petition_moderate, name="petition_moderate"),
    path("petitions/<slug:slug>/export.csv", views.petition_export_csv, name="petition_export_csv"),
    path("petitions/<slug:slug>/export.pdf", views.petition_export_pdf, name="petition_export_pdf"),
    path("hearings/<slug:slug>/", views.hearing_detail, name="hearing_detail"),
    path("votes/<slug:slug>/", views.vote_detail, name="vote_detail"),
    path("letters/<slug:slug>/", views.letter_detail, name="letter_detail"),
]
