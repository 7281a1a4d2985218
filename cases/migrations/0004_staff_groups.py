"""The two staff roles. Editor enters and corrects data and imports reports;
Publisher can also publish and unpublish. Superusers are for administrators only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ONLY = ["chargecategory", "fieldoffice", "slugalias"]
EDIT = ["report", "detainer", "individual", "arrest", "arrestcharge", "agency", "correction"]
DELETE = ["arrestcharge"]  # removing a mistyped charge from an arrest's inline
EDITOR = (
    [f"{action}_{model}" for model in EDIT for action in ("add", "change", "view")]
    + [f"view_{model}" for model in VIEW_ONLY]
    + [f"delete_{model}" for model in DELETE]
    + ["import_report"]
)
PUBLISHER = [*EDITOR, "publish_report"]
GROUPS = {"Editor": EDITOR, "Publisher": PUBLISHER}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions not found for the {name} group: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_report_document_and_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
