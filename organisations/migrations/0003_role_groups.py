from django.db import migrations

# The editorial roles (organisations.roles). Their permissions are assigned after every
# migrate, when the permissions of every app exist.
GROUP_NAMES = ("Koordinaattori", "Julkaisija", "Tuoja", "Ylläpitäjä")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUP_NAMES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_membership"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
