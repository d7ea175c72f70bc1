"""Screen a list of names (a city's vendors, a fund's holdings, partner agencies) against the registry:
for every row its best matches, their public ties and the policy findings on them.

reader.py checks the uploaded CSV (columns, UTF-8, size, formula cells) before anything is matched;
screen.py matches and gathers; report.py writes CSV, JSON or a self-contained HTML page; models and
views in the policies app keep an upload for its owner until the retention period ends.
"""
