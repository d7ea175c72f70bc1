"""Petition services shared by the web pages, the API, the CLI and the benchmark, one module each:

- `ratelimits`: the client IP of a request and the per-IP/per-email rate limits.
- `signing`: signing a petition (the signature and its confirmation email in one write) and confirming it.
- `petition_cache`: the signing path's short-lived copy of a petition, dropped when the petition changes.
- `counts`: public counts, milestones and opted-in signers.
- `moderation`: bulk invalidation by staff.
- `outbox`: the worker that sends queued emails.
- `purge`: deletion of personal data past its retention period.
- `hotpath`: settings read once per process and the prepared statements of the signing path.

This package imports nothing at package level, so importing one service never loads the others.
"""
