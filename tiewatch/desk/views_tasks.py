"""The task queue's pages. Editors create lists and tasks and review findings; contributors claim a
task and submit findings, and see only their own. Every form posts, then redirects (POST-redirect-GET);
a form with errors is shown again with each field's error and status 400."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tiewatch.core.errors import TiewatchError
from tiewatch.desk import questions, workflow
from tiewatch.desk.forms import FindingForm, ReviewForm, TaskForm, TaskListForm
from tiewatch.desk.models import Finding, Task, TaskList
from tiewatch.desk.models.tasks import FINDING_SUBMITTED, OPEN
from tiewatch.desk.roles import is_contributor, is_editor


def _login(request: HttpRequest) -> HttpResponse:
    return redirect(f"/desk/login/?next={request.path}")


def task_lists(request: HttpRequest) -> HttpResponse:
    editor = is_editor(request.user)
    if not (editor or is_contributor(request.user)):
        return _login(request)
    form = TaskListForm(request.POST or None) if editor else None
    if request.method == "POST" and form is not None and form.is_valid():
        if TaskList.objects.filter(slug=form.cleaned_data["slug"]).exists():
            form.add_error("slug", "A task list with this slug exists already.")
        else:
            task_list = TaskList.objects.create(created_by_id=request.user.pk, **form.cleaned_data)
            messages.success(request, f"Task list {task_list.title!r} created.")
            return redirect("desk:task_list", slug=task_list.slug)
    lists = [(t, workflow.progress(t)) for t in TaskList.objects.all()[:200]]
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "desk/task_lists.html", {"lists": lists, "form": form, "editor": editor}, status=status)


def task_list(request: HttpRequest, slug: str) -> HttpResponse:
    editor = is_editor(request.user)
    if not (editor or is_contributor(request.user)):
        return _login(request)
    tasks_of = get_object_or_404(TaskList, slug=slug)
    form = TaskForm(request.POST or None) if editor else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            with transaction.atomic():
                task = Task.objects.create(task_list=tasks_of, **form.cleaned_data)
        except IntegrityError:
            form.add_error("question", "This agency already has a task for this question in this list.")
        else:
            messages.success(request, f"Task added: {task.agency.name}.")
            return redirect("desk:task_list", slug=slug)
    tasks = list(tasks_of.tasks.select_related("agency")[:1000])
    titles = dict(questions.choices())
    return render(request, "desk/task_list.html", {
        "task_list": tasks_of, "progress": workflow.progress(tasks_of), "form": form, "editor": editor,
        "tasks": [(t, titles.get(t.question, t.question)) for t in tasks],
    }, status=400 if form is not None and form.is_bound else 200)


def task_detail(request: HttpRequest, task_id: int, form: FindingForm | None = None) -> HttpResponse:
    editor = is_editor(request.user)
    if not (editor or is_contributor(request.user)):
        return _login(request)
    task = get_object_or_404(Task.objects.select_related("agency", "task_list"), pk=task_id)
    mine = task.claimed_by_id == request.user.pk
    findings = task.findings.all() if editor else task.findings.filter(contributor_id=request.user.pk)
    return render(request, "desk/task_detail.html", {
        "task": task, "question": questions.question(task.question), "editor": editor, "mine": mine,
        "can_claim": task.state == OPEN and is_contributor(request.user),
        "can_submit": mine and task.state == "claimed", "findings": findings,
        "form": form or FindingForm(initial={"found": "yes"}),
    }, status=400 if form is not None else 200)


@require_POST
def claim_task(request: HttpRequest, task_id: int) -> HttpResponse:
    if not is_contributor(request.user):
        return _login(request)
    get_object_or_404(Task, pk=task_id)
    try:
        workflow.claim(task_id, request.user)
        messages.success(request, "Task claimed: it is yours to research.")
    except TiewatchError as error:
        messages.error(request, error.message)
    return redirect("desk:task_detail", task_id=task_id)


@require_POST
def submit_finding(request: HttpRequest, task_id: int) -> HttpResponse:
    if not is_contributor(request.user):
        return _login(request)
    get_object_or_404(Task, pk=task_id)
    form = FindingForm(request.POST)
    if not form.is_valid():
        return task_detail(request, task_id, form)
    try:
        finding = workflow.submit(task_id, request.user, form.cleaned_data)
    except TiewatchError as error:
        messages.error(request, error.message)
        return redirect("desk:task_detail", task_id=task_id)
    messages.success(request, "Finding submitted: an editor will review it.")
    return redirect("desk:finding_detail", finding_id=finding.pk)


def my_findings(request: HttpRequest) -> HttpResponse:
    if not is_contributor(request.user):
        return _login(request)
    findings = Finding.objects.filter(contributor_id=request.user.pk).select_related("task__agency")[:500]
    claimed = Task.objects.filter(claimed_by_id=request.user.pk, state="claimed").select_related("agency")[:500]
    return render(request, "desk/my_findings.html", {"findings": findings, "claimed": claimed})


def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_editor(request.user):
        return redirect(f"/admin/login/?next={request.path}")
    findings = Finding.objects.filter(state=FINDING_SUBMITTED).select_related("task__agency", "task__task_list")
    return render(request, "desk/review_queue.html", {"findings": findings[:500]})


def _visible_finding(request: HttpRequest, finding_id: int) -> Finding:
    qs = Finding.objects.select_related("task__agency", "task__task_list", "counterpart", "contributor__contributor")
    if not is_editor(request.user):
        qs = qs.filter(contributor_id=request.user.pk)  # a contributor sees only their own findings
    return get_object_or_404(qs, pk=finding_id)


def finding_detail(request: HttpRequest, finding_id: int, form: ReviewForm | None = None) -> HttpResponse:
    if not (is_editor(request.user) or is_contributor(request.user)):
        return _login(request)
    finding = _visible_finding(request, finding_id)
    context: dict[str, Any] = {
        "finding": finding, "editor": is_editor(request.user), "credit": workflow.credit_of(finding),
        "question": questions.question(finding.task.question), "form": form or ReviewForm(),
    }
    return render(request, "desk/finding_detail.html", context, status=400 if form is not None else 200)


@require_POST
def review_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    if not is_editor(request.user):
        return redirect(f"/admin/login/?next={request.path}")
    get_object_or_404(Finding, pk=finding_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return finding_detail(request, finding_id, form)
    try:
        if form.cleaned_data["decision"] == "accept":
            workflow.accept(finding_id, request.user, form.cleaned_data["note"])
            messages.success(request, "Finding accepted and published.")
        else:
            workflow.reject(finding_id, request.user, form.cleaned_data["note"])
            messages.success(request, "Finding sent back to the contributor.")
    except TiewatchError as error:
        messages.error(request, error.message)
    return redirect("desk:review_queue")
