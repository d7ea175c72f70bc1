"""Declared input shapes of the campaigns app (pydantic): a signature and a source link.

`SignatureIn` is THE signature: the JSON API documents it (OpenAPI) and validation.py validates both
the API body and the HTML form with it, so the rules and messages exist once. Its validators are
lenient where the form and the API always were (a number is accepted as a postal code, "on" as a
checkbox) and every failure names its field. `SourceLink` is one entry of a record's `sources`:
its `url` must be an http(s) URL (tiewatch.core.urls, the one rule for links from data).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from tiewatch.campaigns import conf
from tiewatch.campaigns.normalise import normalise_domain
from tiewatch.core.json_body import text_problem
from tiewatch.core.urls import HttpUrlStr

REQUIRED = "This field is required."
_TRUE = {"1", "true", "yes", "on"}


def _error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _coerce_text(value: Any) -> str:
    """Text as the form and the API always took it: None is empty, numbers become text, the rest
    (lists, objects, booleans) is refused; surrounding spaces are dropped."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _error("text", "Enter text.")
    text = str(value)
    problem = text_problem(text)
    if problem:
        raise _error("text", problem)
    return text.strip()


def _at_most(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > limit:
            raise PydanticCustomError("too_long", "Ensure this value has at most {limit} characters (it has {n}).",
                                      {"limit": limit, "n": len(value)})
        return value

    return AfterValidator(check)


def _flag(value: Any) -> bool:
    """A checkbox: true, "1", "true", "yes" or "on" (any case); anything else is false."""
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() in _TRUE


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise _error("required", REQUIRED)
    if len(name) < 2:
        raise _error("name", "Please give your name.")
    return name


def _email(value: str) -> str:
    if not value:
        raise _error("required", REQUIRED)
    try:
        validate_email(value)
    except DjangoValidationError:
        raise _error("email", "Enter a valid email address.") from None
    # Both sides in their IDNA form, so a Unicode spelling cannot slip past an xn-- entry (or back).
    blocked = {normalise_domain(d) for d in conf.get("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS") or []}
    if blocked and normalise_domain(value.rpartition("@")[2]) in blocked:
        raise _error("email", "Signatures from this email domain are not accepted.")
    return value


def _consented(value: bool) -> bool:
    if not value:
        raise _error("required", REQUIRED)
    return value


def _text(limit: int) -> tuple[BeforeValidator, AfterValidator]:
    return BeforeValidator(_coerce_text), _at_most(limit)


Name = Annotated[str, *_text(200), AfterValidator(_name)]
Email = Annotated[str, *_text(254), AfterValidator(_email)]
Address = Annotated[str, *_text(300)]
PostalCode = Annotated[str, *_text(20)]
City = Annotated[str, *_text(100)]
Comment = Annotated[str, *_text(2000)]
Honeypot = Annotated[str, *_text(200)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Consent = Annotated[bool, BeforeValidator(_flag), AfterValidator(_consented)]


class SignatureIn(BaseModel):
    """A signature as the signer gives it (the JSON body of `POST /api/petitions/{slug}/signatures`,
    or the fields of the petition page's form)."""

    # Defaults are validated too: an absent postal code still meets the address-or-postal-code rule.
    model_config = ConfigDict(extra="ignore", validate_default=True)

    name: Name
    email: Email
    # address comes before postal_code: postal_code's rule reads it.
    address: Address = ""
    postal_code: PostalCode = ""
    city: City = ""
    resident: Flag = False
    comment: Comment = ""
    consent: Consent
    show_publicly: Flag = False
    # The form's honeypot (hidden from people by CSS); not part of the documented API.
    website: SkipJsonSchema[Honeypot] = ""

    @field_validator("postal_code")
    @classmethod
    def _postal_code_or_address(cls, value: str, info: ValidationInfo) -> str:
        # Asked only when the address itself was valid (else that is the error to fix first).
        if not value and "address" in info.data and not info.data["address"]:
            raise _error("required", "Give your street address or your postal code.")
        return value


# Each field on its own, without the cross-field rule: what `valid_fields` keeps of a failed signature.
_FIELD_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "name": TypeAdapter(Name), "email": TypeAdapter(Email), "address": TypeAdapter(Address),
    "postal_code": TypeAdapter(PostalCode), "city": TypeAdapter(City), "resident": TypeAdapter(Flag),
    "comment": TypeAdapter(Comment), "consent": TypeAdapter(Consent), "show_publicly": TypeAdapter(Flag),
    "website": TypeAdapter(Honeypot),
}
assert set(_FIELD_ADAPTERS) == set(SignatureIn.model_fields)


def signature_errors(exc: PydanticValidationError) -> dict[str, list[str]]:
    """Messages by field name ("__all__" when no field is at fault) of a failed SignatureIn."""
    errors: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in err["loc"]) or "__all__"
        errors.setdefault(field, []).append(REQUIRED if err["type"] == "missing" else err["msg"])
    return errors


def valid_fields(data: dict[str, Any], failed: set[str]) -> dict[str, Any]:
    """The fields of a failed signature that are valid on their own (e.g. the email, which the
    rate limits count even when another field is wrong)."""
    out: dict[str, Any] = {}
    for name, adapter in _FIELD_ADAPTERS.items():
        if name in failed:
            continue
        try:
            out[name] = adapter.validate_python(data.get(name))
        except PydanticValidationError:
            continue
    return out


class SourceLink(BaseModel):
    """One entry of a record's `sources`: an http(s) `url`, an optional `title` (other keys are kept)."""

    model_config = ConfigDict(extra="allow")

    url: HttpUrlStr
    title: str = ""


SOURCES = TypeAdapter(list[SourceLink])


def source_problems(value: Any) -> list[str]:
    """What is wrong with a `sources` value (a list of {url, title}), one message per problem."""
    try:
        SOURCES.validate_python(value if value is not None else [])
    except PydanticValidationError as exc:
        return [_where(err["loc"]) + err["msg"] for err in exc.errors(include_url=False, include_input=False)]
    return []


def _where(loc: tuple[int | str, ...]) -> str:
    """'source 2, url: ' for the location (1, 'url') of an error in a sources list."""
    if not loc:
        return ""
    parts = [f"source {loc[0] + 1}" if isinstance(loc[0], int) else str(loc[0]), *map(str, loc[1:])]
    return ", ".join(parts) + ": "
