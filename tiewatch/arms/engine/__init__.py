"""Pure-Python core of the arms app: SIPRI readers, DuckDB queries, claims, fact sheets, SVG charts.

Never imports Django (CONTRIBUTING.md): the CLI, the benchmark and the web layer all drive it.
"""
