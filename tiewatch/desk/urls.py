"""The research desk's pages, mounted at /desk/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tiewatch.desk import views_accounts, views_coverage, views_tasks

app_name = "desk"
urlpatterns = [
    path("coverage/", views_coverage.coverage_index, name="coverage_index"),
    path("coverage/record/", views_coverage.record_coverage, name="record_coverage"),
    path("coverage/<slug:slug>/", views_coverage.coverage_question, name="coverage_question"),
    path("tasks/", views_tasks.task_lists, name="task_lists"),
    path("tasks/<slug:slug>/", views_tasks.task_list, name="task_list"),
    path("task/<int:task_id>/", views_tasks.task_detail, name="task_detail"),
    path("task/<int:task_id>/claim/", views_tasks.claim_task, name="claim_task"),
    path("task/<int:task_id>/submit/", views_tasks.submit_finding, name="submit_finding"),
    path("findings/", views_tasks.my_findings, name="my_findings"),
    path("findings/<int:finding_id>/", views_tasks.finding_detail, name="finding_detail"),
    path("findings/<int:finding_id>/review/", views_tasks.review_finding, name="review_finding"),
    path("review/", views_tasks.review_queue, name="review_queue"),
    path("register/", views_accounts.register, name="register"),
    path("register/sent/", views_accounts.register_sent, name="register_sent"),
    path("confirm/<str:token>/", views_accounts.confirm, name="confirm"),
    path("login/", views_accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/desk/login/"), name="logout"),
]
