"""Contributor self-registration with email confirmation.

The confirmation email goes through the campaigns outbox (queued in the registering transaction,
sent by `tiewatch worker`), so a failing mail server never loses it. Only the token's sha256 is
stored. A contributor's user name is random: neither it nor the email ever appears publicly.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from tiewatch.campaigns.models import OutboxMessage
from tiewatch.desk.models import Contributor
from tiewatch.desk.roles import CONTRIBUTOR_GROUP

CONFIRM_KIND = "desk_confirm"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register(email: str, display_name: str, password: str, site_url: str) -> Contributor:
    """An inactive user and its contributor profile, and the confirmation email queued."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.create_user(f"contributor-{secrets.token_hex(6)}", email, password, is_active=False)
        contributor = Contributor.objects.create(user=user, display_name=display_name, token_hash=token_hash(token))
        link = f"{site_url.rstrip('/')}/desk/confirm/{token}/"
        OutboxMessage.objects.create(
            to=email, kind=CONFIRM_KIND, subject="Confirm your tiewatch contributor account",
            body=f"Hello {display_name},\n\nconfirm your email to start researching with tiewatch:\n{link}\n\n"
                 "If you did not register, ignore this message.\n")
    return contributor


def confirm(token: str) -> Contributor | None:
    """Activate the contributor whose token this is (once); None for an unknown or used token."""
    if not token or len(token) > 100:
        return None
    with transaction.atomic():
        contributor = (Contributor.objects.select_for_update().select_related("user")
                       .filter(token_hash=token_hash(token), confirmed_at__isnull=True).first())
        if contributor is None:
            return None
        contributor.confirmed_at = timezone.now()
        contributor.token_hash = ""
        contributor.save(update_fields=["confirmed_at", "token_hash"])
        contributor.user.is_active = True
        contributor.user.save(update_fields=["is_active"])
        contributor.user.groups.add(Group.objects.get(name=CONTRIBUTOR_GROUP))
    return contributor


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()
