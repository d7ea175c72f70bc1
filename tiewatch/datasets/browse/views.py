"""/datasets/ and /datasets/NAME/: what each dataset is (its dataset.yaml), when it was last
imported, and how much of it the registry holds, as the reader may see it (visibility.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tiewatch.datasets.models import ImportRun
from tiewatch.registry import queries
from tiewatch.registry.models import Source, Tie

from .catalog import DatasetInfo, datasets


def last_import(name: str) -> ImportRun | None:
    return ImportRun.objects.filter(dataset=name).order_by("-finished_at", "-id").first()


def _ties(name: str, drafts: bool) -> Any:
    return queries.ties(drafts).filter(dataset=name)


def _counts(name: str, drafts: bool) -> dict[str, Any]:
    count, capped = queries.capped_count(_ties(name, drafts), queries.HOME_COUNT_CAP)
    return {"ties": count, "capped": capped}


def dataset_list(request: HttpRequest) -> HttpResponse:
    drafts = queries.can_see_drafts(request.user)
    rows = [{"info": info, "counts": _counts(name, drafts), "last_import": last_import(name)}
            for name, info in datasets().items()]
    return render(request, "datasets/dataset_list.html", {"rows": rows, "drafts": drafts})


def _sources(name: str, drafts: bool) -> list[Source]:
    """The files the dataset's ties cite (one source per file), newest first."""
    cited = Tie.sources.through.objects.filter(tie__dataset=name).values("source_id").distinct()
    return list(queries.sources(drafts).filter(pk__in=cited).order_by("-published_on", "id")[:200])


def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    info: DatasetInfo | None = datasets().get(name)
    if info is None:
        raise Http404("No such dataset.")
    drafts = queries.can_see_drafts(request.user)
    ties = _ties(name, drafts).order_by()
    span = ties.aggregate(first=Min("year_from"), last=Max("year_to"))
    by_status = list(ties.values_list("status").annotate(n=Count("id")).order_by("-n", "status"))
    by_kind = [(kind, kind.replace("_", " "), n)
               for kind, n in ties.values_list("kind").annotate(n=Count("id")).order_by("-n", "kind")]
    return render(request, "datasets/dataset_detail.html", {
        "info": info, "counts": _counts(name, drafts), "last_import": last_import(name), "span": span,
        "by_status": by_status, "by_kind": by_kind, "sources": _sources(name, drafts), "drafts": drafts,
    })
