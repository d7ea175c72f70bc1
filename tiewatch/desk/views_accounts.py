"""Contributor registration, email confirmation, sign-in and sign-out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tiewatch.campaigns import conf
from tiewatch.campaigns.services.ratelimits import client_ip, hit_rate_limits
from tiewatch.core.errors import RateLimited
from tiewatch.desk import accounts
from tiewatch.desk.forms import EmailLoginForm, RegisterForm


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        # Each attempt counts against the campaigns' per-IP and per-email limits, so nobody can
        # make the site mail confirmation links to a stream of addresses.
        try:
            hit_rate_limits(client_ip(request), str(request.POST.get("email", ""))[:254].strip().lower() or None)
        except RateLimited:
            form.add_error(None, "Too many registrations from this address or for this email; try again later.")
            return render(request, "desk/register.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accounts.register(data["email"], data["display_name"], data["password"], conf.site_url())
        return redirect("desk:register_sent")
    return render(request, "desk/register.html", {"form": form}, status=400 if form.is_bound else 200)


def register_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/register_sent.html")


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":  # a link scanner's GET must not confirm: the page asks for a click
        return render(request, "desk/confirm.html", {"token": token})
    contributor = accounts.confirm(token)
    if contributor is None:
        return render(request, "desk/confirm.html", {"token": token, "invalid": True}, status=400)
    messages.success(request, "Your email is confirmed: sign in to claim a research task.")
    return redirect("desk:login")


class LoginView(auth_views.LoginView):
    template_name = "desk/login.html"
    form_class = EmailLoginForm  # type: ignore[assignment]
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        return "/desk/tasks/"
