"""The campaign data file (demo/durham.yaml and any `campaigns load-demo --file`), as pydantic models.

The file is read by the core input layer (line numbers, no aliases, no duplicate keys); these models
check every field's type, choice, length, date and URL, and `problems()` turns pydantic's errors
into `Problem`s naming file, line and field (`campaigns[0].events[2].date`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from tiewatch.campaigns.models import CampaignEvent, Letter, Petition, RollCallEntry, Testimony, Vote
from tiewatch.core.errors import Problem
from tiewatch.core.inputs import line_of
from tiewatch.core.partial_dates import parse_partial_date
from tiewatch.core.urls import is_http_url


def _partial_date(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):  # pydantic reports ValueError, not TypeError
        raise ValueError(
            f"expected a date like 2018, 2018-04 or 2018-04-16, got {value!r}")
    parse_partial_date(str(value))  # its ValueError says what is wrong
    return str(value)


def _http_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


def _link(value: str) -> str:
    """A page of this site (`/petitions/x/`) or an http(s) URL; nothing a browser would run."""
    if (value.startswith("/") and not value.startswith("//") and " " not in value) or is_http_url(value):
        return value
    raise ValueError(f"expected a site path like /petitions/example/ or an http(s) URL, got {value!r}")


def _one_of(values: Sequence[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"expected one of {', '.join(values)}, got {value!r}")
        return value

    return check


PartialDate = Annotated[str, BeforeValidator(_partial_date)]
HttpUrl = Annotated[str, Field(max_length=500), AfterValidator(_http_url)]
Slug = Annotated[str, Field(min_length=1, max_length=150, pattern=r"^[-a-zA-Z0-9_]+$")]
Name = Annotated[str, Field(min_length=1, max_length=300)]
Short = Annotated[str, Field(max_length=300)]
Count = Annotated[int, Field(ge=0, le=2_147_483_647)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class Source(_Model):
    url: HttpUrl
    title: Short = ""
    publisher: Short = ""


class OrganisationData(_Model):
    slug: Slug
    name: Name
    url: HttpUrl | None = None
    entity_id: Annotated[str, Field(max_length=150)] = ""


class MemberData(_Model):
    organisation: Slug
    role: Annotated[str, Field(max_length=100)] = "member"
    uncertain: bool = False


class OfflineBatchData(_Model):
    count: Count
    source: Annotated[str, Field(min_length=1, max_length=500)]
    collected_on: PartialDate | None = None
    note: str = ""
    verified_residents: Count = 0


class PetitionData(_Model):
    slug: Slug
    title: Name
    text: Annotated[str, Field(min_length=1)]
    target: Name
    jurisdiction: Annotated[str, Field(max_length=200)] = ""
    thresholds: list[Count] = []
    status: Annotated[str, AfterValidator(_one_of(Petition.Status.values))] = "draft"
    delivered_on: PartialDate | None = None
    verification: Annotated[str, AfterValidator(_one_of(Petition.Verification.values))] = "none"
    verification_config: dict[str, Any] = {}
    privacy_notice: str = ""
    sources: list[Source] = []
    note: str = ""
    offline: list[OfflineBatchData] = []


class SignatoryData(_Model):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Short = ""
    organisation: Short = ""


class LetterData(_Model):
    slug: Slug
    title: Name
    text: str = ""
    summary: str = ""
    date: PartialDate | None = None
    addressed_to: Short = ""
    stance: Annotated[str, AfterValidator(_one_of(Letter.Stance.values))] = "for"
    reported_signatories: Annotated[str, Field(max_length=200)] = ""
    uncertain: bool = False
    sources: list[Source] = []
    signatories: list[SignatoryData] = []
    endorsements: list[Slug] = []


class TestimonyData(_Model):
    speaker: Annotated[str, Field(min_length=1, max_length=200)]
    affiliation: Short = ""
    stance: Annotated[str, AfterValidator(_one_of(Testimony.Stance.values))]
    resident: bool | None = None
    duration_seconds: Count | None = None
    sources: list[Source] = []


class HearingData(_Model):
    slug: Slug
    body: Name
    date: PartialDate
    agenda_item: Short = ""
    video_url: HttpUrl | None = None
    reported_testimonies: Count | None = None
    reported_duration_minutes: Count | None = None
    note: str = ""
    sources: list[Source] = []
    testimonies: list[TestimonyData] = []


class RollCallData(_Model):
    member: Annotated[str, Field(min_length=1, max_length=200)]
    position: Annotated[str, AfterValidator(_one_of(RollCallEntry.Position.values))]


class VoteData(_Model):
    slug: Slug
    hearing: Slug | None = None
    body: Name
    motion: Annotated[str, Field(min_length=1)]
    date: PartialDate
    outcome: Annotated[str, AfterValidator(_one_of(Vote.Outcome.values))]
    effect: Annotated[str, AfterValidator(_one_of(Vote.Effect.values))] = "adopted"
    policy_id: Annotated[str, Field(max_length=200)] = ""
    reported_yes: Count | None = None
    reported_no: Count | None = None
    reported_abstain: Count | None = None
    reported_absent: Count | None = None
    seats: Count | None = None
    note: str = ""
    sources: list[Source] = []
    roll_call: list[RollCallData] = []


class EventData(_Model):
    date: PartialDate
    kind: Annotated[str, AfterValidator(_one_of(CampaignEvent.Kind.values))] = "other"
    text: Annotated[str, Field(min_length=1)]
    link: Annotated[str, Field(max_length=300), AfterValidator(_link)] | None = None
    uncertain: bool = False
    sources: list[Source] = []


class CampaignData(_Model):
    slug: Slug
    name: Name
    coalition: Short = ""
    coalition_entity_id: Annotated[str, Field(max_length=150)] = ""
    target_body: Name
    jurisdiction: Annotated[str, Field(min_length=1, max_length=200)]
    summary: str = ""
    policy_id: Annotated[str, Field(max_length=200)] = ""
    sources: list[Source] = []
    published: bool = True
    members: list[MemberData] = []
    evidence: list[Annotated[str, Field(max_length=300)]] = []
    petitions: list[PetitionData] = []
    letters: list[LetterData] = []
    hearings: list[HearingData] = []
    votes: list[VoteData] = []
    events: list[EventData] = []


class CampaignFile(_Model):
    organisations: list[OrganisationData] = []
    campaigns: list[CampaignData] = []


def sources_json(sources: list[Source]) -> list[dict[str, str]]:
    """Sources as stored in the models' JSON fields: only the keys that were given."""
    return [source.model_dump(exclude_defaults=True) for source in sources]


def field_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def locate(data: Any, loc: Sequence[int | str]) -> int | None:
    """The line of the deepest part of `loc` found in the loaded data (a missing field: its mapping's)."""
    line = line_of(data)
    for part in loc:
        found = (isinstance(data, dict) and part in data) or (isinstance(data, list) and isinstance(part, int) \
            and 0 <= part < len(data))
        if not found:
            break
        line = line_of(data, part) or line
        data = data[part]
    return line


def problems(error: ValidationError, data: Any, file: str) -> list[Problem]:
    out = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if isinstance(part, (int, str)))
        message = str(item["msg"]).removeprefix("Value error, ")
        out.append(Problem(message, field=field_path(loc), file=file, line=locate(data, loc)))
    return out
