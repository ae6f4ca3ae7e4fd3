from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat, Left, Length

# Fallback reasons are clauses now: the sentences quoting them ("... because <reason>.") end them,
# so the stored ones lose their own full stop instead of showing two.
ENDING = "link was made instead."


def drop_full_stop(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    for field in ("fallback_reason", "change_reason"):
        Meeting.objects.filter(**{f"{field}__endswith": ENDING}).update(**{field: Left(F(field), Length(F(field)) - 1)})


def add_full_stop(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    for field in ("fallback_reason", "change_reason"):
        Meeting.objects.filter(**{f"{field}__endswith": ENDING[:-1]}).update(**{field: Concat(F(field), Value("."))})


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_durable_work_on_meeting_rows"),
    ]

    operations = [migrations.RunPython(drop_full_stop, add_full_stop)]
