"""The desk's models, one module per part of the desk (docs/desk.md): coverage and research tasks,
records requests and follows."""

from tiewatch.desk.models.coverage import Coverage
from tiewatch.desk.models.follows import DigestSent, Follow
from tiewatch.desk.models.requests import RecordsRequest, RequestDocument, RequestStatusChange
from tiewatch.desk.models.tasks import Contributor, Finding, Task, TaskList

__all__ = ["Contributor", "Coverage", "DigestSent", "Finding", "Follow", "RecordsRequest", "RequestDocument",
           "RequestStatusChange", "Task", "TaskList"]
