"""Labels people read in the admin and on source lists are words, not "TieCounterpart object (50)"."""

from __future__ import annotations

from typing import Any

import pytest

from tiewatch.registry.models import Source, TieCounterpart


@pytest.mark.django_db
def test_a_counterpart_link_reads_as_the_counterparts_name(seeded: Any) -> None:
    link = TieCounterpart.objects.select_related("entity").order_by("tie_id", "position").first()
    assert link is not None
    assert str(link) == f"{link.entity.name} (counterpart {link.position + 1})"
    assert "object" not in str(link)


@pytest.mark.django_db
def test_a_source_without_a_title_reads_as_its_site_and_words(seeded: Any) -> None:
    source = Source.objects.filter(url__contains="city-panel-oks-policy").first()
    assert source is not None and not source.title and not source.publisher
    assert source.label == "seattletimes.com: city panel oks policy banning exchanges with israeli police"
