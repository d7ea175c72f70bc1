"""Public counts of a petition and the signers who chose to be shown."""

from __future__ import annotations

from typing import Any

from django.db import connection

from tiewatch.campaigns.models import OfflineSignatureBatch, Petition, Signature


def counts(petition: Petition) -> dict[str, Any]:
    """Public counts in one round trip: confirmed online signatures, verified residents among them,
    offline batches (shown separately), the total and the milestones."""
    qn = connection.ops.quote_name
    sig, off = qn(Signature._meta.db_table), qn(OfflineSignatureBatch._meta.db_table)
    counted = f"FROM {sig} WHERE petition_id = %s AND confirmed_at IS NOT NULL AND invalidated_at IS NULL"
    sql = (
        f"SELECT (SELECT count(*) {counted}), (SELECT count(*) {counted} AND verified_resident), "
        f"(SELECT coalesce(sum({qn('count')}), 0) FROM {off} WHERE petition_id = %s), "
        f"(SELECT coalesce(sum(verified_residents), 0) FROM {off} WHERE petition_id = %s), "
        f"(SELECT count(*) FROM {off} WHERE petition_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [petition.pk] * 5)
        confirmed, verified, offline_count, offline_verified, batches = (int(v or 0) for v in cursor.fetchone())
    total = confirmed + offline_count
    thresholds = sorted(int(t) for t in petition.thresholds or [])
    return {
        "confirmed": confirmed,
        "verified_residents": verified,
        "offline": offline_count,
        "offline_verified_residents": offline_verified,
        "offline_batches": batches,
        "total": total,
        "milestones": [{"threshold": t, "reached": total >= t} for t in thresholds],
        "next_milestone": next((t for t in thresholds if t > total), None),
    }


def public_signers(petition: Petition, limit: int = 50) -> list[dict[str, str]]:
    """First name and city of confirmed signers who opted in; nothing else."""
    rows = (Signature.objects.filter(petition=petition, confirmed_at__isnull=False, invalidated_at__isnull=True,
                                     show_publicly=True)
            .order_by("-confirmed_at").values_list("name", "city")[:limit])
    return [{"first_name": (name.split() or [""])[0], "city": city} for name, city in rows]
