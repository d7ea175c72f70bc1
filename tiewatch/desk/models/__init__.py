"""The desk's models, one module per part (coverage and tasks here; records requests and follows beside)."""

from tiewatch.desk.models.coverage import Coverage
from tiewatch.desk.models.tasks import Contributor, Finding, Task, TaskList

__all__ = ["Contributor", "Coverage", "Finding", "Task", "TaskList"]
