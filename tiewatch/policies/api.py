"""JSON API of the policies app (mounted by config/api.py at /api/).

    GET  /api/policies                  instruments (?format=csv)
    GET  /api/policies/jurisdictions    which places adopted which policies (?format=csv)
    GET  /api/policies/{policy_id}      one instrument: text, vote, rules, current findings
    GET  /api/check                     screen one proposed tie (query parameters)
    POST /api/check                     the same with a JSON body
    GET  /api/findings                  stored findings (?policy=&tie=&effect=&all=true&format=csv)
    GET  /api/screening-runs            screening runs (?format=csv)
    GET  /api/screening-runs/{run_id}   one run with the findings that appeared and disappeared in it
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic.config import JsonDict

from tiewatch.core.errors import NotFound
from tiewatch.core.records import TIE_KINDS
from tiewatch.policies import services
from tiewatch.policies.models import Finding, ScreeningRun

router = Router(tags=["policies"])


def _csv(name: str, columns: list[str], rows: list[dict[str, Any]]) -> HttpResponse:
    response = HttpResponse(services.to_csv(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


class FormatQuery(Schema):
    format: str = Field("json", pattern="^(json|csv)$", description="json (default) or csv")


@router.get("/policies", summary="List the loaded policy instruments")
def list_policies(request: HttpRequest, q: Query[FormatQuery]) -> Any:
    rows = [services.instrument_summary(i) for i in services.load_instruments()]
    if q.format == "csv":
        return _csv("policies", services.POLICY_COLUMNS, rows)
    return rows


@router.get("/policies/jurisdictions", summary="Which places have adopted which policies")
def policy_jurisdictions(request: HttpRequest, q: Query[FormatQuery]) -> Any:
    rows = services.jurisdiction_table(services.load_instruments())
    if q.format == "csv":
        return _csv("policy-places", list(rows[0].keys()) if rows else ["jurisdiction"], rows)
    return rows


@router.get("/policies/{policy_id}", summary="One instrument: text, vote, rules and current findings")
def get_policy(request: HttpRequest, policy_id: str) -> Any:
    inst = services.get_instrument(policy_id)
    out = services.instrument_detail(inst)
    out["findings"] = [f.as_dict() for f in Finding.objects.filter(policy_id=policy_id,
                                                                   disappeared_run__isnull=True)]
    return out


# Declared in the OpenAPI schema so clients know the formats; the service still validates them, with
# "did you mean" suggestions. Rules across fields (at least one counterpart) are in the descriptions.
PARTIAL_DATE = r"^[1-9]\d{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
_ENTITY: JsonDict = {"minLength": 1, "maxLength": 200}
_KIND: JsonDict = {"enum": list(TIE_KINDS)}
_DATE: JsonDict = {"pattern": PARTIAL_DATE}


class CheckIn(Schema):
    subject: str = Field(..., description="entity id (or exact name) of the local agency",
                         json_schema_extra=_ENTITY)
    counterparts: list[str] = Field(default_factory=list, description="entity ids of the counterparts "
                                    "(at least one here or in `counterpart`)")
    counterpart: str | None = Field(None, description="one counterpart (alternative to counterparts)")
    kind: str = Field(..., description="tie kind", json_schema_extra=_KIND)
    date: str = Field(..., description="YYYY-MM-DD, YYYY-MM or YYYY (a real calendar day)",
                      json_schema_extra=_DATE)
    program: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class CheckQuery(Schema):
    subject: str = Field(..., json_schema_extra=_ENTITY)
    counterpart: list[str] = Field(..., description="repeat for several counterparts (at least one)")
    kind: str = Field(..., json_schema_extra=_KIND)
    date: str = Field(..., description="YYYY-MM-DD, YYYY-MM or YYYY (a real calendar day)",
                      json_schema_extra=_DATE)
    program: str | None = None
    attr: list[str] = Field(default_factory=list, description="key=value, repeatable")


def _check(subject: str, counterparts: list[str], kind: str, date: str, program: str | None,
           attributes: dict[str, Any]) -> dict[str, Any]:
    result = services.check_proposed(subject, counterparts, kind, date, program, attributes)
    return result.as_dict()


@router.post("/check", summary="Screen one proposed tie (JSON body)")
def check_post(request: HttpRequest, payload: CheckIn) -> Any:
    counterparts = list(payload.counterparts) + ([payload.counterpart] if payload.counterpart else [])
    return _check(payload.subject, counterparts, payload.kind, payload.date, payload.program, payload.attributes)


@router.get("/check", summary="Screen one proposed tie (query parameters)")
def check_get(request: HttpRequest, q: Query[CheckQuery]) -> Any:
    return _check(q.subject, q.counterpart, q.kind, q.date, q.program, services.parse_attrs(q.attr))


class FindingsQuery(Schema):
    policy: str | None = None
    tie: str | None = None
    subject: str | None = None
    effect: str | None = None
    all: bool = Field(False, description="include findings that have disappeared")
    format: str = Field("json", pattern="^(json|csv)$")
    limit: int = Field(1000, ge=1, le=100000)


@router.get("/findings", summary="Stored screening findings")
def list_findings(request: HttpRequest, q: Query[FindingsQuery]) -> Any:
    qs = Finding.objects.all()
    if not q.all:
        qs = qs.filter(disappeared_run__isnull=True)
    if q.policy:
        qs = qs.filter(policy_id=q.policy)
    if q.tie:
        qs = qs.filter(tie_id=q.tie)
    if q.subject:
        qs = qs.filter(subject_id=q.subject)
    if q.effect:
        qs = qs.filter(effect=q.effect)
    rows = [f.as_dict() for f in qs[: q.limit]]
    if q.format == "csv":
        return _csv("findings", services.FINDING_COLUMNS, rows)
    return rows


@router.get("/screening-runs", summary="Screening runs, newest first")
def list_runs(request: HttpRequest, q: Query[FormatQuery]) -> Any:
    rows = [{"id": r.pk, "started_at": r.started_at.isoformat(),
             "finished_at": r.finished_at.isoformat() if r.finished_at else None,
             "policy_set_hash": r.policy_set_hash, "policies": r.policies, "ties_screened": r.ties_screened,
             "findings": r.findings_count, "appeared": r.appeared, "disappeared": r.disappeared,
             "duration_ms": r.duration_ms} for r in ScreeningRun.objects.all()[:500]]
    if q.format == "csv":
        return _csv("screening-runs", ["id", "started_at", "finished_at", "policy_set_hash", "ties_screened",
                                       "findings", "appeared", "disappeared", "duration_ms"], rows)
    return rows


@router.get("/screening-runs/{run_id}", summary="One screening run: the findings that appeared and disappeared")
def get_run(request: HttpRequest, run_id: int) -> Any:
    run = ScreeningRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"no screening run {run_id}")
    return {"id": run.pk, "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "policy_set_hash": run.policy_set_hash, "policies": run.policies, "ties_screened": run.ties_screened,
            "findings": run.findings_count, "duration_ms": run.duration_ms,
            "appeared": [f.as_dict() for f in Finding.objects.filter(first_run=run)],
            "disappeared": [f.as_dict() for f in Finding.objects.filter(disappeared_run=run)]}
