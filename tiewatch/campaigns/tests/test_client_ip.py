"""The client IP behind proxies (issue 9 item 6): only the entries our own proxies appended to
X-Forwarded-For are believed, so a client cannot pick its own rate-limit bucket or stored IP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from tiewatch.campaigns.models import Petition, Signature
from tiewatch.campaigns.services.ratelimits import client_ip, forwarded_client
from tiewatch.campaigns.tests.conftest import signer


def _post(client: Client, slug: str, data: dict, **meta: Any) -> Any:
    return client.post(f"/api/petitions/{slug}/signatures", json.dumps(data), content_type="application/json",
                       **meta)


@pytest.mark.django_db
def test_appending_proxy_with_spoofed_first_entry_does_not_bypass_the_ip_limit(
        client: Client, petition: Petition, settings: Any) -> None:
    # The reported reproduction: the old boolean on, a 10/60 limit, 15 attempts whose first
    # X-Forwarded-For entry changes each time (the client's) and whose last (the proxy's) does not.
    settings.TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR = True
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "10/60"
    statuses = [_post(client, petition.slug, signer(n), REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR=f"10.66.0.{n}, 127.0.0.250").status_code for n in range(1, 16)]
    assert statuses.count(202) == 10 and statuses[10:] == [429] * 5, statuses
    assert set(Signature.objects.values_list("ip", flat=True)) == {"127.0.0.250"}


@pytest.mark.django_db
def test_hop_count_setting_reads_the_address_the_outer_proxy_saw(client: Client, petition: Petition,
                                                                 settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS = 2
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "3/60"
    codes = [_post(client, petition.slug, signer(n), REMOTE_ADDR="10.0.0.2",
                   HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9, 10.0.0.1").status_code for n in range(1, 6)]
    assert codes == [202, 202, 202, 429, 429]
    assert set(Signature.objects.values_list("ip", flat=True)) == {"198.51.100.9"}


@pytest.mark.django_db
def test_invalid_forwarded_entry_is_not_trusted(client: Client, petition: Petition, settings: Any) -> None:
    settings.TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS = 1
    assert _post(client, petition.slug, signer(1), REMOTE_ADDR="10.9.9.9",
                 HTTP_X_FORWARDED_FOR="203.0.113.5, not-an-ip").status_code == 202
    assert Signature.objects.get().ip == "10.9.9.9"


def _ip(settings: Any, meta: dict[str, str], hops: int = 0, legacy: bool = False) -> str | None:
    settings.TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS = hops
    settings.TIEWATCH_CAMPAIGNS_TRUST_X_FORWARDED_FOR = legacy
    return client_ip(RequestFactory().get("/", **meta))


def test_header_is_ignored_by_default(settings: Any) -> None:
    assert _ip(settings, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}) == "10.0.0.1"


def test_legacy_boolean_means_one_hop(settings: Any) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
    assert _ip(settings, meta, legacy=True) == "203.0.113.7"
    assert _ip(settings, meta, hops=2, legacy=True) == "6.6.6.6"  # an explicit hop count wins


@pytest.mark.parametrize(("header", "hops", "expected"), [
    ("203.0.113.7", 1, "203.0.113.7"),
    (" 6.6.6.6 ,203.0.113.7 ", 1, "203.0.113.7"),
    ("203.0.113.7", 2, None),  # too short to have passed two proxies
    ("", 1, None),
    ("203.0.113.7, ", 1, None),  # an empty entry is not an address
    ("203.0.113.7, 198.51.100.1:8080", 1, None),  # nor an address with a port
    ("6.6.6.6, <script>", 1, None),
    ("2001:DB8:0:0::1", 1, "2001:db8::1"),  # written one way, so one rate-limit bucket
    ("1.1.1.1, 2.2.2.2, 3.3.3.3", 3, "1.1.1.1"),
])
def test_forwarded_client(header: str, hops: int, expected: str | None) -> None:
    assert forwarded_client(header, hops) == expected


def test_negative_hop_count_is_refused(settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS"):
        _ip(settings, {"REMOTE_ADDR": "10.0.0.1"}, hops=-1)
