"""Pages: the law packs (one page per instrument), which places adopted what, the findings of the
latest screening, and a "check a proposed tie" form. No JavaScript needed."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tiewatch.core.errors import NotFound, TiewatchError
from tiewatch.core.records import TIE_KINDS
from tiewatch.policies import forms as policy_forms
from tiewatch.policies import page_sections, places_map, services
from tiewatch.policies.forms import PolicyFilterForm
from tiewatch.policies.models import Finding, ScreeningRun
from tiewatch.registry import facets, queries

FORMATS = ("csv", "json")
# The findings list: whitelisted sorts (each ends on the id: a stable order), its headers and facets.
FINDING_SORTS: dict[str, list[str]] = {
    "policy": ["policy_id", "rule_id", "tie_id", "counterpart_id", "id"],
    "effect": ["effect", "policy_id", "rule_id", "tie_id", "id"],
    "tie": ["tie_id", "policy_id", "rule_id", "id"],
    "since": ["appeared_at", "id"], "-since": ["-appeared_at", "id"],
}
FINDING_SORT_COLUMNS = [("Tie", "tie", None), ("Rule", "policy", None), ("Effect", "effect", None),
                        ("Since", "-since", "since")]
FINDING_FACETS = (("policy_id", "policy", "Policy"), ("effect", "effect", "Effect"))


def _export(name: str, fmt: str, columns: list[str], rows: list[dict[str, Any]]) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(services.to_csv(columns, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 1})


def _load_or_error(request: HttpRequest) -> tuple[list[Any], TiewatchError | None]:
    try:
        return services.load_instruments(), None
    except TiewatchError as exc:
        return [], exc


def policy_list(request: HttpRequest) -> HttpResponse:
    """The law packs, filtered (type, status, state, year adopted), counted by each filter and sorted by
    a column; `?format=csv|json` exports the filtered list with the columns it always had."""
    form = PolicyFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "policies/list.html", {"form": form, "rows": [], "invalid": True}, status=400)
    instruments, error = _load_or_error(request)
    summaries = [services.instrument_summary(i) for i in instruments]
    places = page_sections.place_names({row["jurisdiction"] for row in summaries})
    chosen = policy_forms.selected(form)
    rows = facets.filter_rows([policy_forms.list_fields(row, _place_name(places, row["jurisdiction"]))
                               for row in summaries], chosen)
    sort = (form.cleaned_data.get("sort") if form.is_bound else "") or ""
    rows = facets.sort_rows(rows, sort) if sort else rows
    fmt = request.GET.get("format", "")
    if fmt in FORMATS and error is None:
        return _export("policies", fmt, services.POLICY_COLUMNS,
                       [{key: row[key] for key in services.POLICY_COLUMNS} for row in rows])
    counts: dict[str, int] = {}
    for f in Finding.objects.filter(disappeared_run__isnull=True).values_list("policy_id", flat=True):
        counts[f] = counts.get(f, 0) + 1
    for row in rows:
        row["findings"] = counts.get(row["id"], 0)
    link = facets.request_link(request)
    return render(request, "policies/list.html", {
        "form": form, "rows": rows, "error": error, "places": places,
        "facets": facets.row_facets(rows, policy_forms.POLICY_FACETS, chosen, link),
        "sort_headers": facets.sort_headers(policy_forms.POLICY_SORT_COLUMNS, sort, link),
        **facets.export_urls(link)})


def _place_name(places: dict[str, Any], ocd: str) -> str:
    place = places.get(ocd)
    return str(place.name) if place is not None else ocd


PLACE_COLUMNS = ["jurisdiction", "policy", "title", "body", "type", "adopted", "rescinded", "status", "binding"]


def places(request: HttpRequest) -> HttpResponse:
    """Which places adopted what, filtered like the policies list (type, status, state, year adopted)
    and counted by each filter; the maps and the export show the filtered rows."""
    form = PolicyFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "policies/places.html", {"form": form, "invalid": True}, status=400)
    instruments, error = _load_or_error(request)
    chosen = policy_forms.selected(form)
    # Each row as the page and the export always showed it, beside the fields the filters read.
    pairs = [(row, policy_forms.list_fields(row, places_map.place_name(row["jurisdiction"])))
             for row in services.jurisdiction_table(instruments)]
    pairs = [(row, fields) for row, fields in pairs if facets.filter_rows([fields], chosen)]
    rows = [row for row, _ in pairs]
    fmt = request.GET.get("format", "")
    if fmt in FORMATS and error is None:
        return _export("policy-places", fmt, PLACE_COLUMNS, [{key: row[key] for key in PLACE_COLUMNS} for row in rows])
    link = facets.request_link(request)
    return render(request, "policies/places.html", {
        "form": form, "groups": places_map.groups(rows), "maps": places_map.maps(rows), "error": error,
        "facets": facets.row_facets([fields for _, fields in pairs], policy_forms.POLICY_FACETS, chosen, link),
        **facets.export_urls(link)})


def policy_detail(request: HttpRequest, policy_id: str) -> HttpResponse:
    try:
        inst = services.get_instrument(policy_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    detail = services.instrument_detail(inst)
    rows = list(Finding.objects.filter(policy_id=policy_id, disappeared_run__isnull=True))
    if request.GET.get("format") == "json":
        detail["findings"] = [f.as_dict() for f in rows]
        return JsonResponse(detail, json_dumps_params={"ensure_ascii": False, "indent": 1})
    places = page_sections.place_names({inst.jurisdiction, *(r.binds.jurisdiction for r in inst.rules)})
    return render(request, "policies/detail.html", {
        "p": detail, "inst": inst, "place": places.get(inst.jurisdiction), "places": places,
        "verdicts": page_sections.verdict_rows(rows, queries.can_see_drafts(request.user))})


def findings(request: HttpRequest) -> HttpResponse:
    qs = Finding.objects.all()
    show_all = request.GET.get("all") == "1"
    if not show_all:
        qs = qs.filter(disappeared_run__isnull=True)
    for key in ("policy", "tie", "effect", "subject"):
        value = request.GET.get(key)
        if value:
            qs = qs.filter(**{f"{key}_id" if key != "effect" else "effect": value})
    sort = request.GET.get("sort") or "policy"
    if sort not in FINDING_SORTS:
        return render(request, "policies/findings.html", {
            "findings": [], "show_all": show_all, "sort_error": f"sort must be one of {', '.join(FINDING_SORTS)}"},
            status=400)
    rows = list(qs.order_by(*FINDING_SORTS[sort])[:5000])
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return _export("findings", fmt, services.FINDING_COLUMNS, [f.as_dict() for f in rows])
    last_run = ScreeningRun.objects.first()
    link = facets.request_link(request)
    selected = {"policy": request.GET.get("policy"), "effect": request.GET.get("effect")}
    return render(request, "policies/findings.html", {
        "findings": rows, "show_all": show_all, "run": last_run, "query": request.GET.urlencode(),
        "facets": facets.group_facets(qs, FINDING_FACETS, selected, link),
        "sort_headers": facets.sort_headers(FINDING_SORT_COLUMNS, sort, link)})


def runs(request: HttpRequest) -> HttpResponse:
    qs = list(ScreeningRun.objects.all()[:200])
    rows = [{"id": r.pk, "started_at": r.started_at.isoformat(), "policy_set_hash": r.policy_set_hash,
             "ties_screened": r.ties_screened, "findings": r.findings_count, "appeared": r.appeared,
             "disappeared": r.disappeared, "duration_ms": round(r.duration_ms, 1)} for r in qs]
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return _export("screening-runs", fmt, list(rows[0].keys()) if rows else ["id"], rows)
    return render(request, "policies/runs.html", {"rows": rows})


def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = ScreeningRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404(f"no screening run {run_id}")
    appeared = list(Finding.objects.filter(first_run=run))
    disappeared = list(Finding.objects.filter(disappeared_run=run))
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        rows = [dict(f.as_dict(), change="appeared") for f in appeared] + \
            [dict(f.as_dict(), change="disappeared") for f in disappeared]
        return _export(f"screening-run-{run.pk}", fmt, ["change", *services.FINDING_COLUMNS], rows)
    return render(request, "policies/run_detail.html", {"run": run, "appeared": appeared,
                                                        "disappeared": disappeared})


def check(request: HttpRequest) -> HttpResponse:
    data = request.GET
    form = {k: data.get(k, "") for k in ("subject", "counterpart", "kind", "date", "program", "attributes")}
    result = None
    errors: dict[str, list[str]] = {}
    error_message = ""
    if data.get("subject") or data.get("counterpart"):
        try:
            attrs = services.parse_attrs([form["attributes"]], "attributes")
            counterparts = [c.strip() for c in form["counterpart"].split(",") if c.strip()]
            result = services.check_proposed(form["subject"], counterparts, form["kind"], form["date"],
                                             form["program"] or None, attrs)
        except TiewatchError as exc:
            errors = exc.fields()
            error_message = exc.message
    if data.get("format") == "json":
        if result is None:
            body = {"error": {"code": "invalid", "message": error_message or "Give subject, counterpart, kind, date.",
                              "fields": errors}}
            return JsonResponse(body, status=422)
        return JsonResponse(result.as_dict(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    from tiewatch.registry.models import Entity

    entities = []
    if Entity.objects.count() <= 3000:  # a datalist of ids for small registries
        entities = list(Entity.objects.filter(published=True).values_list("id", "name"))
    return render(request, "policies/check.html", {
        "form": form, "result": result, "errors": errors, "error_message": error_message,
        "tie_kinds": TIE_KINDS, "entities": entities,
        "result_json": json.dumps(result.as_dict(), indent=1) if result else "",
    })
