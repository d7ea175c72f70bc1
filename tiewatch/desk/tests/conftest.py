from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

DURHAM = "us-nc-durham-police-department"
RALEIGH = "us-nc-raleigh-police-department"
BOSTON = "us-ma-boston-police-department"
ISRAEL_POLICE = "il-israel-police"
SECRET_EMAIL = "zelda.hidden@privacy.example"


@pytest.fixture
def roles(db: Any) -> None:
    """The role groups (a transactional test's flush removes what the migrations created)."""
    from django.contrib.auth.models import Group

    for name in ("editor", "viewer", "contributor"):
        Group.objects.get_or_create(name=name)


def make_contributor(email: str, display_name: str, password: str = "a-long-pass-phrase-9") -> Any:
    """Register and confirm a contributor the way the site does (the emailed link's token)."""
    from tiewatch.campaigns.models import OutboxMessage
    from tiewatch.desk import accounts

    contributor = accounts.register(email, display_name, password, "http://testserver")
    body = OutboxMessage.objects.filter(to=email).latest("id").body
    token = re.search(r"/desk/confirm/([^/]+)/", body).group(1)  # type: ignore[union-attr]
    assert accounts.confirm(token) is not None
    contributor.user.refresh_from_db()
    return contributor.user


@pytest.fixture
def editor(roles: None) -> Any:
    from django.contrib.auth.models import Group, User

    bob = User.objects.create_user("bob", "bob@example.org", "password", is_staff=True)
    bob.groups.add(Group.objects.get(name="editor"))
    return bob


@pytest.fixture
def task_list(seeded: Any, editor: Any) -> Any:
    from tiewatch.desk.models import Task, TaskList

    tasks = TaskList.objects.create(slug="nc-exchanges", title="North Carolina exchanges", created_by=editor)
    Task.objects.create(task_list=tasks, agency_id=DURHAM, question="israel-ties", leads="ADL seminar 2008?",
                        lead_links=[{"url": "https://example.org/travel", "title": "travel record"}])
    Task.objects.create(task_list=tasks, agency_id=RALEIGH, question="surveillance-tech")
    return tasks


def finding_data(**extra: Any) -> dict[str, Any]:
    data = {"found": "yes", "summary": "Officers attended a 2019 seminar in Israel.",
            "method": "Searched council minutes and travel reimbursements.",
            "sources": "https://news.example.org/seminar-2019 A news report", "tie_kind": "training",
            "counterpart": ISRAEL_POLICE, "year": "2019"}
    data.update(extra)
    return data


def today() -> str:
    return dt.date.today().isoformat()
