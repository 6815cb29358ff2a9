"""Fill the normalised key of the organisations registered before it existed."""

from django.db import migrations

from participants.organisation_names import name_key


def fill_match_keys(apps, schema_editor):
    Organisation = apps.get_model("participants", "Organisation")
    organisations = list(Organisation.objects.only("pk", "name"))
    for organisation in organisations:
        organisation.match_key = name_key(organisation.name)[:250]
    Organisation.objects.bulk_update(organisations, ["match_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_organisation_language_names_match_key"),
    ]

    operations = [
        migrations.RunPython(fill_match_keys, migrations.RunPython.noop),
    ]
