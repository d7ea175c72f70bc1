"""Who may do what on the desk. Editors are the registry's staff role; contributors are self-registered."""

from __future__ import annotations

from typing import Any

EDITOR_GROUP = "editor"
CONTRIBUTOR_GROUP = "contributor"


def is_editor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or (user.is_staff and user.groups.filter(name=EDITOR_GROUP).exists()))


def is_contributor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.groups.filter(name=CONTRIBUTOR_GROUP).exists())
