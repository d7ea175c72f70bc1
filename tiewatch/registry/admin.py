"""The staff admin: entities, ties, sources and jurisdictions, every change audited.

Each save or delete made here (including inline counterparts and source links) stores a
`ChangeRecord` with the record's canonical snapshot before and after (see `audit.py`); the
snapshot after a save is taken once the inlines and many-to-many links are saved. Each record's
change page links to its audit trail (the admin "history" page, which lists the record's
ChangeRecords with every changed field, before → after). ChangeRecords themselves are read-only.

Roles (migration 0002): superusers are admins; the `editor` group edits registry data; the
`viewer` group may only view (drafts included). The public never sees the admin.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from tiewatch.core.urls import HTTP_URL_MESSAGE, is_http_url
from tiewatch.registry.audit import history, record_change, snapshot
from tiewatch.registry.importers.validate import country_problem
from tiewatch.registry.importers.writer import refresh_counterpart_countries
from tiewatch.registry.models import ChangeRecord, Entity, Jurisdiction, Source, Tie, TieCounterpart

NO_SOURCE = "A tie needs at least one source."
NO_COUNTERPART = ("A tie needs at least one counterpart, or a counterpart_country attribute "
                  "(e.g. {\"counterpart_country\": \"IL\"}) when the foreign party is not known.")


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value or '""'
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- the audit trail page ------------------------------------------------------------------

HISTORY_TEMPLATE = engines["django"].from_string("""{% extends "admin/base_site.html" %}
{% block breadcrumbs %}<div class="breadcrumbs"><a href="{% url 'admin:index' %}">Home</a>
&rsaquo; <a href="{{ changelist_url }}">{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; {% if change_url %}<a href="{{ change_url }}">{{ object_id }}</a>{% else %}{{ object_id }}{% endif %}
&rsaquo; Audit trail</div>{% endblock %}
{% block content %}<div id="content-main" class="audit-trail">
<p>Every change to <strong>{{ opts.verbose_name }} {{ object_id }}</strong>, newest first.</p>
{% for change, rows in changes %}
<div class="module aligned" id="change-{{ change.pk }}">
<h2>{{ change.action }} — {{ change.at|date:"Y-m-d H:i:s e" }} — by {{ change.actor|default:"unknown" }}</h2>
<table><thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead><tbody>
{% for name, before, after in rows %}<tr><td>{{ name }}</td><td><del>{{ before }}</del></td>
<td><ins>{{ after }}</ins></td></tr>{% endfor %}
</tbody></table></div>
{% empty %}<p>No recorded changes.</p>{% endfor %}
</div>{% endblock %}""")


def change_rows(change: ChangeRecord) -> list[tuple[str, str, str]]:
    return [(name, _show(before), _show(after)) for name, before, after in change.changed_fields()]


class AuditedAdmin(admin.ModelAdmin):
    """Records a ChangeRecord for every save and delete; the history page is the audit trail."""

    audit_model = ""  # the ChangeRecord.model name: entity, tie, source, jurisdiction

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Ids are stable references: renaming one in the admin would copy the record.
            fields = ["id", *[f for f in fields if f != "id"]]
        return [*fields, "audit_trail"] if obj is not None else fields

    @admin.display(description="Audit trail")
    def audit_trail(self, obj: Model) -> str:
        if obj is None or obj.pk is None:
            return "—"
        count = ChangeRecord.objects.filter(model=self.audit_model, object_id=str(obj.pk)).count()
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])
        return format_html('<a href="{}" class="audit-trail-link">Audit trail</a> ({} recorded change{})',
                           url, count, "" if count == 1 else "s")

    # Saving: the snapshot before is read in save_model (the database still holds the old record,
    # links included); the snapshot after once save_related has saved inlines and M2M links.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = snapshot(old) if old is not None else None
        request._tiewatch_before = before  # type: ignore[attr-defined]
        self.before_save(obj)
        super().save_model(request, obj, form, change)

    def before_save(self, obj: Any) -> None:
        """Hook for denormalised fields."""

    def after_related(self, obj: Any) -> None:
        """Hook run after inlines and M2M links are saved."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = type(form.instance).objects.get(pk=form.instance.pk)
        self.after_related(obj)
        before = getattr(request, "_tiewatch_before", None)
        record_change(self.audit_model, str(obj.pk), "update" if change and before is not None else "create",
                      before, snapshot(obj), user=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj)
        oid = str(obj.pk)
        super().delete_model(request, obj)
        record_change(self.audit_model, oid, "delete", before, None, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        obj = self.get_object(request, object_id)
        changes = history(self.audit_model, object_id)
        if obj is None and not changes:
            return self._get_obj_does_not_exist_redirect(request, opts, object_id)  # type: ignore[attr-defined]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Audit trail: {obj if obj is not None else object_id}",
            "subtitle": None, "opts": opts, "object_id": object_id,
            "changes": [(change, change_rows(change)) for change in changes],
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "change_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            if obj is not None else "",
            **(extra_context or {}),
        }
        return HttpResponse(HISTORY_TEMPLATE.render(context, request))


# --- jurisdictions and sources -------------------------------------------------------------

@admin.register(Jurisdiction)
class JurisdictionAdmin(AuditedAdmin):
    audit_model = "jurisdiction"
    list_display = ("id", "name", "parent")
    search_fields = ("id", "name")
    autocomplete_fields = ("parent",)


class SourceForm(forms.ModelForm):
    def clean_url(self) -> Any:
        # Django's URL field also takes ftp://; a source is a link the public clicks: http(s) only.
        url = self.cleaned_data.get("url")
        if url and not is_http_url(url):
            raise ValidationError(HTTP_URL_MESSAGE, code="http_url")
        return url


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    audit_model = "source"
    form = SourceForm
    list_display = ("id", "label", "publisher", "published_on", "published")
    list_filter = ("published", "publisher")
    search_fields = ("id", "url", "title", "publisher")
    date_hierarchy = "published_on"


# --- entities ------------------------------------------------------------------------------

@admin.register(Entity)
class EntityAdmin(AuditedAdmin):
    audit_model = "entity"
    list_display = ("id", "name", "kind", "country", "jurisdiction", "published", "uncertain")
    list_filter = ("kind", "country", "published", "uncertain")
    # search_text is the lower-cased name and aliases, so this finds aliases too.
    search_fields = ("id", "name", "search_text")
    autocomplete_fields = ("jurisdiction", "parent", "sources")
    list_per_page = 50
    show_full_result_count = False

    def after_related(self, obj: Entity) -> None:
        # Ties keep their counterparts' countries denormalised (for the country filter).
        refresh_counterpart_countries([obj.pk])


# --- ties ----------------------------------------------------------------------------------

class CounterpartFormSet(BaseInlineFormSet):
    """A tie names at least one counterpart, unless its attributes give a counterpart_country."""

    def clean(self) -> None:
        super().clean()
        kept = [f for f in self.forms
                if getattr(f, "cleaned_data", None) and f.cleaned_data.get("entity")
                and not f.cleaned_data.get("DELETE")]
        attributes = getattr(self.instance, "attributes", None) or {}
        if not kept and not (isinstance(attributes, dict) and attributes.get("counterpart_country")):
            raise ValidationError(NO_COUNTERPART, code="no_counterpart")


class TieCounterpartInline(admin.TabularInline):
    model = TieCounterpart
    formset = CounterpartFormSet
    autocomplete_fields = ("entity",)
    fields = ("entity", "position")
    extra = 1


class TieForm(forms.ModelForm):
    class Meta:
        model = Tie
        exclude = ("year_from", "year_to")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "sources" in self.fields:
            self.fields["sources"].required = False  # checked in clean_sources, with our message

    def clean_sources(self) -> Any:
        sources = self.cleaned_data.get("sources")
        empty = sources is None or (not sources.exists() if hasattr(sources, "exists") else not sources)
        if empty:
            raise ValidationError(NO_SOURCE, code="no_source")
        return sources

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        attributes = data.get("attributes")
        if attributes is not None and not isinstance(attributes, dict):
            self.add_error("attributes", "Attributes must be a JSON object, e.g. {\"funder\": \"...\"}.")
        elif attributes and attributes.get("counterpart_country") not in (None, ""):
            problem = country_problem(attributes["counterpart_country"])
            if problem:
                self.add_error("attributes", f"counterpart_country: {problem}.")
            else:
                attributes["counterpart_country"] = attributes["counterpart_country"].strip().upper()
        years = data.get("years")
        if years is not None and (not isinstance(years, list)
                                  or not all(isinstance(y, int) and 1000 <= y <= 2999 for y in years)):
            self.add_error("years", "Years must be a JSON list of years, e.g. [2009, 2010].")
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date is before the start date.")
        return data


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = Tie.objects.exclude(year_from=None).order_by("-year_from").values_list("year_from", flat=True)
        return [(str(y), str(y)) for y in years.distinct()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tie]) -> QuerySet[Tie]:
        if not self.value():
            return queryset
        try:
            year = int(self.value() or "")
        except ValueError:
            return queryset.none()
        return queryset.filter(year_from__lte=year, year_to__gte=year)


@admin.register(Tie)
class TieAdmin(AuditedAdmin):
    audit_model = "tie"
    form = TieForm
    inlines = (TieCounterpartInline,)
    list_display = ("id", "subject", "kind", "when", "status", "published", "uncertain")
    list_filter = ("kind", "status", "published", "uncertain", YearFilter)
    search_fields = ("id", "subject__name", "note")
    autocomplete_fields = ("subject", "program", "sources")
    list_select_related = ("subject",)
    list_per_page = 50
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ["id", "subject", "program", "kind", "status", "published", "uncertain"]}),
        ("When", {"fields": [("start_date", "start_precision"), ("end_date", "end_precision"), "years"]}),
        ("Facts", {"fields": ["sources", "attributes", "note"]}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fieldsets = [(name, dict(opts)) for name, opts in self.fieldsets]
        if obj is not None:
            fieldsets.append(("Audit", {"fields": ["counterpart_countries", "audit_trail"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "counterpart_countries"] if obj is not None else fields

    def before_save(self, obj: Tie) -> None:
        obj.refresh_denormalised()

    def after_related(self, obj: Tie) -> None:
        countries = set(obj.counterpart_links.filter(entity__published=True).exclude(entity__country="")
                        .values_list("entity__country", flat=True))
        if (obj.attributes or {}).get("counterpart_country"):
            countries.add(str(obj.attributes["counterpart_country"]))
        value = ",".join(sorted(countries))
        if value != obj.counterpart_countries:
            Tie.objects.filter(pk=obj.pk).update(counterpart_countries=value)
            obj.counterpart_countries = value


# --- the audit log itself ------------------------------------------------------------------

@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the trail is never edited."""

    list_display = ("at", "model", "object_id", "action", "actor")
    list_filter = ("model", "action")
    search_fields = ("object_id", "actor")
    date_hierarchy = "at"
    readonly_fields = ("model", "object_id", "action", "user", "actor", "at", "changes")
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Changed fields (before → after)")
    def changes(self, obj: ChangeRecord) -> str:
        rows = change_rows(obj)
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td><del>{}</del></td><td><ins>{}</ins></td></tr>", rows),
        )

# The research desk's models register their own admin (claims, captures, link checks).
from tiewatch.registry import research_admin  # noqa: E402, F401
