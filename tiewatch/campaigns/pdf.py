"""The delivery PDF: petition text, counts, offline batches and the list of confirmed signers
(name, address or postal code, verified resident, date) for the target body. No emails, no IPs."""

from __future__ import annotations

import io
from typing import Any

from tiewatch.campaigns.models import OfflineSignatureBatch, Petition, Signature


def petition_pdf(petition: Petition, rows: list[Signature], counts: dict[str, Any],
                 batches: list[OfflineSignatureBatch]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=petition.title, leftMargin=15 * mm, rightMargin=15 * mm)
    story: list[Any] = [
        Paragraph(escape(petition.title), styles["Title"]),
        Paragraph(f"To: {escape(petition.target)}", styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    for para in petition.text.split("\n\n"):
        story.append(Paragraph(escape(para), styles["BodyText"]))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(f"Confirmed online signatures: {counts['confirmed']:,} "
                  f"(verified residents: {counts['verified_residents']:,}). "
                  f"Offline signatures: {counts['offline']:,}. Total: {counts['total']:,}.", styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    if batches:
        story.append(Paragraph("Offline and historical counts", styles["Heading3"]))
        for b in batches:
            when = b.collected_on.isoformat() if b.collected_on else "undated"
            story.append(Paragraph(f"{b.count:,} — {escape(b.source)} ({when})", styles["Normal"]))
    story.append(Paragraph("Confirmed online signers", styles["Heading3"]))
    table_rows = [["#", "Name", "Address / postal code", "Verified resident", "Signed"]]
    for i, s in enumerate(rows, 1):
        where = ", ".join(p for p in (s.address, s.postal_code, s.city) if p)
        table_rows.append([str(i), s.name, where, "yes" if s.verified_resident else "no",
                           s.created_at.date().isoformat()])
    table = Table(table_rows, repeatRows=1, colWidths=[12 * mm, 50 * mm, 75 * mm, 22 * mm, 22 * mm])
    table.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
