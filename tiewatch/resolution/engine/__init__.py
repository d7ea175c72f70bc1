"""The matching engine, importable without Django: names in, ranked explained candidates out.

    from tiewatch.resolution.engine import Index, Query, Record
    Index(records).match(Query("ATLANTA POLICE DEPT", state="GA"))
"""

from .matcher import Index, score
from .parse import parse_agency_name
from .thresholds import AUTO, REVIEW
from .types import Candidate, Feature, ParsedAgency, Query, Record

__all__ = [
    "AUTO",
    "REVIEW",
    "Candidate",
    "Feature",
    "Index",
    "ParsedAgency",
    "Query",
    "Record",
    "parse_agency_name",
    "score",
]
