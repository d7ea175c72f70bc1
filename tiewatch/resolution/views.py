"""The review queue for editors: pending pairs side by side with the engine's explanation, a match /
no match / unsure form with a note (CSRF, POST-redirect-GET), and the decision history with undo.

Reading needs `resolution.view_candidatepair` (editors, viewers, admins); deciding and undoing need
`resolution.decide_pairs` (editors, admins). Pages are staff-only and never indexed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tiewatch.core.errors import TiewatchError
from tiewatch.resolution.decisions import NOTE_MAX, decide, undo
from tiewatch.resolution.models import JUDGEMENTS, CandidatePair, Decision
from tiewatch.resolution.queue import decision_dict, pair_view, pending_pairs

VIEW_PERM, DECIDE_PERM = "resolution.view_candidatepair", "resolution.decide_pairs"
PAGE_SIZE = 20


class DecisionForm(forms.Form):
    judgement = forms.ChoiceField(choices=[(j, j.replace("_", " ")) for j in JUDGEMENTS])
    note = forms.CharField(required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


def _guard(request: HttpRequest, perm: str) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(perm):
        raise PermissionDenied("You lack the permission " + perm)
    return None


def review(request: HttpRequest) -> HttpResponse:
    refused = _guard(request, VIEW_PERM)
    if refused:
        return refused
    paginator = Paginator(pending_pairs(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    response = render(request, "resolution/review.html", {
        "page": page, "pairs": [pair_view(p) for p in page.object_list], "form": DecisionForm(),
        "can_decide": request.user.has_perm(DECIDE_PERM),
        "recent": [decision_dict(d) for d in Decision.objects.select_related("merge")[:10]],
    })
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def decide_pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    refused = _guard(request, DECIDE_PERM)
    if refused:
        return refused
    pair = get_object_or_404(CandidatePair, pk=pair_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in form.errors.items())
        messages.error(request, f"Pair #{pair.pk} was not decided: {errors}")
        return redirect("resolution:review")
    try:
        decision = decide(pair.left_id, pair.right_id, form.cleaned_data["judgement"], form.cleaned_data["note"],
                          user=request.user)
    except TiewatchError as error:
        messages.error(request, f"Pair #{pair.pk} was not decided: {' '.join(error.lines())}")
        return redirect("resolution:review")
    merged = f"; {decision.merge.merged_id} merged into {decision.merge.canonical_id}" if decision.merge else ""
    messages.success(request, f"Decision {decision.pk}: {decision.get_judgement_display()} "
                              f"({pair.left_id} ~ {pair.right_id}){merged}.")
    return redirect("resolution:review")


def decision_list(request: HttpRequest) -> HttpResponse:
    refused = _guard(request, VIEW_PERM)
    if refused:
        return refused
    page = Paginator(Decision.objects.select_related("merge"), 50).get_page(request.GET.get("page"))
    response = render(request, "resolution/decisions.html", {
        "page": page, "decisions": [decision_dict(d) for d in page.object_list],
        "can_decide": request.user.has_perm(DECIDE_PERM),
    })
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def undo_decision(request: HttpRequest, decision_id: int) -> HttpResponse:
    refused = _guard(request, DECIDE_PERM)
    if refused:
        return refused
    try:
        decision = undo(decision_id, user=request.user)
    except TiewatchError as error:
        messages.error(request, " ".join(error.lines()))
        return redirect("resolution:decisions")
    messages.success(request, f"Decision {decision.pk} undone" + ("; the merge was taken apart." if decision.merge
                                                                   else "."))
    return redirect("resolution:decisions")
