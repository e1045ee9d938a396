from django.db import migrations, models

# Street classes (CJ/T 214 events and facilities) public, governance classes private:
# the same rule as apps.cases.defaults.PUBLIC_KINDS, frozen here for existing rows.
PUBLIC_KINDS = ("event", "facility")


def street_classes_public(apps, schema_editor):
    apps.get_model("cases", "Category").objects.filter(kind__in=PUBLIC_KINDS).update(public=True)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="public",
            field=models.BooleanField(
                default=False,
                help_text="Cases of this category appear on the public Open311 feed (location rounded to about 50 m, "
                "no names). Leave off for disputes, public order, hardship, petitions and anything personal.",
                verbose_name="public",
            ),
        ),
        migrations.RunPython(street_classes_public, migrations.RunPython.noop),
    ]
