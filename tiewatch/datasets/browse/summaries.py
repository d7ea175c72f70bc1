"""How each dataset's ties are summarised on entity pages (tiewatch.registry.dataset_summary)."""

from __future__ import annotations

from tiewatch.registry.dataset_summary import SummarySpec, register

SPECS = {
    "leso": SummarySpec(
        title="DLA 1033 program (LESO)", rows="categories", row_label="Category",
        sums=(("quantity", "Quantity"), ("acquisition_value", "Acquisition value (US$)")),
        role_labels=(("subject", "Received"), ("counterpart", "Transferred")),
        note="A tie with several categories counts in each; totals above count it once. Values are the "
             "DLA's acquisition values, not what the agency paid."),
    "sipri_register": SummarySpec(
        title="SIPRI arms transfers", rows="partner", row_label="Partner",
        sums=(("tiv_delivered", "TIV delivered (millions)"),),
        role_labels=(("subject", "As supplier"), ("counterpart", "As recipient")),
        note="Deals counted by order year. TIV is SIPRI's trend-indicator value: a volume index, not a price."),
}


def register_summaries() -> None:
    """Register the summaries above (at start-up: cheap, no dataset.yaml read, so a command that
    serves no page loads no metadata schema). A dataset folder without one is summarised by kind."""
    for name, spec in SPECS.items():
        register(name, spec)
