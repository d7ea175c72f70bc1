"""Editors decide candidate pairs (and undo decisions); viewers may read the queue and decisions."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="resolution")
    editor, _ = Group.objects.get_or_create(name="editor")
    viewer, _ = Group.objects.get_or_create(name="viewer")
    editor.permissions.add(*perms.filter(codename__in=["decide_pairs", "view_candidatepair", "view_decision",
                                                       "view_merge"]))
    viewer.permissions.add(*perms.filter(codename__startswith="view_"))


def remove_roles(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["editor", "viewer"]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="resolution"))


class Migration(migrations.Migration):
    dependencies = [("resolution", "0001_initial"), ("registry", "0002_roles"),
                    ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
