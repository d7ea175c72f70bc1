"""Public coverage pages (published agencies only, researchers shown by their public credit) and the
editors' form to record coverage directly."""

from __future__ import annotations

import io
import json

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from tiewatch.desk import coverage, questions
from tiewatch.desk.forms import CoverageForm
from tiewatch.desk.models import Coverage
from tiewatch.desk.roles import is_editor
from tiewatch.registry.exporters import write_csv
from tiewatch.registry.models import Entity


def coverage_index(request: HttpRequest) -> HttpResponse:
    summaries = [coverage.summary(q) for q in questions.questions()]
    return render(request, "desk/coverage_index.html", {"summaries": summaries, "editor": is_editor(request.user)})


def coverage_question(request: HttpRequest, slug: str) -> HttpResponse:
    question = questions.question(slug)
    if question is None:
        raise Http404("No such question.")
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "json"):
        return export_response(coverage.export_records(question.slug), fmt, f"coverage-{question.slug}")
    summary = coverage.summary(question)
    records = (coverage.public_coverage(question.slug).select_related("agency")
               .prefetch_related("ties", "sources").order_by("agency__name")[:500])
    return render(request, "desk/coverage_question.html", {
        "summary": summary, "chart": coverage.render_state_chart(summary.states),
        "map": coverage.researched_map(summary.states, request.path),
        "records": [(r, coverage.consulted_links(r.consulted)) for r in records],
    })


def export_response(rows: list[dict[str, object]], fmt: str, name: str) -> HttpResponse:
    if fmt == "json":
        response = HttpResponse(json.dumps(rows, indent=1), content_type="application/json")
    else:
        buffer = io.StringIO()
        write_csv(buffer, coverage.EXPORT_COLUMNS, rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def record_coverage(request: HttpRequest) -> HttpResponse:
    if not is_editor(request.user):
        return redirect(f"/admin/login/?next={request.path}")
    form = CoverageForm(request.POST or None, initial={"agency": request.GET.get("agency", "")[:150]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            record, _ = Coverage.objects.update_or_create(
                agency=data["agency"], question=data["question"],
                defaults={"state": data["state"], "researched_on": data["researched_on"],
                          "method": data["method"], "consulted": data["consulted"],
                          "researcher_id": request.user.pk, "credit": data["credit"]})
            record.ties.set(data["ties"] if data["state"] == "found" else [])
            record.sources.set({s for t in data["ties"] for s in t.sources.all()} if data["state"] == "found" else [])
        messages.success(request, f"Coverage recorded: {record.agency.name}, {record.state_label}.")
        return redirect("desk:coverage_question", slug=data["question"])
    return render(request, "desk/coverage_form.html", {"form": form}, status=400 if form.is_bound else 200)


def agency_section(request: HttpRequest | None, entity: Entity, drafts: bool) -> SafeString:
    """The agency page's "What has been researched" section (registry entity page hook)."""
    if entity.kind not in coverage.AGENCY_KINDS:
        return mark_safe("")
    answers = coverage.agency_answers(entity)
    for answer in answers:
        record = answer["record"]
        answer["consulted"] = coverage.consulted_links(record.consulted) if record else []
        answer["ties"] = [t for t in record.ties.all() if t.published or drafts] if record else []
    return mark_safe(render_to_string("desk/_agency_section.html", {"answers": answers, "entity": entity,
                                                                     "editor": request is not None and is_editor(request.user)}))
