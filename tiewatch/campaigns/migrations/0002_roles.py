"""The `petition_manager` group: may export signatures and moderate them (invalidate, offline batches),
and manage campaign records in the admin. Admins (superusers) have every permission; editors and
viewers get no access to signers' personal data."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    manager, _ = Group.objects.get_or_create(name="petition_manager")
    perms = Permission.objects.filter(content_type__app_label="campaigns")
    manager.permissions.add(*perms.filter(codename__in=["export_signatures", "moderate_signatures"]))
    manager.permissions.add(*perms.filter(codename__startswith="view_"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="petition_manager").delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
