from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SignalRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=32, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("params", models.JSONField(default=dict, verbose_name="thresholds")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={"verbose_name": "signal rule", "verbose_name_plural": "signal rules", "ordering": ["id"]},
        ),
    ]
