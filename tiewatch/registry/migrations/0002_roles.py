"""Roles as groups: editors edit registry data; viewers (staff) read unpublished drafts.
Admins are superusers. The public sees only published records."""

from django.db import migrations

EDITABLE = ["entity", "tie", "source", "jurisdiction", "tiecounterpart"]


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="editor")
    viewer, _ = Group.objects.get_or_create(name="viewer")
    registry_perms = Permission.objects.filter(content_type__app_label="registry")
    editor.permissions.add(*registry_perms.filter(content_type__model__in=EDITABLE))
    editor.permissions.add(*registry_perms.filter(codename__in=["view_changerecord"]))
    viewer.permissions.add(*registry_perms.filter(codename__startswith="view_"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["editor", "viewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
