import meetings.registry
from django.db import migrations, models

# Meeting platforms are now named by their vendor's key (integrations.vendors.registry).
RENAMED = {"google_meet": "google", "teams": "microsoft"}


def _rename(apps, renames):
    targets = [
        ("bookings", "Service", "meeting_platform"),
        ("meetings", "Meeting", "provider"),
        ("meetings", "MeetingEvent", "provider"),
        ("meetings", "ClinicMeetingSettings", "default_provider"),
        ("meetings", "ClinicMeetingSettings", "fallback_provider"),
    ]
    for app_label, model_name, field in targets:
        model = apps.get_model(app_label, model_name)
        for old, new in renames.items():
            model.objects.filter(**{field: old}).update(**{field: new})


def to_vendor_keys(apps, schema_editor):
    _rename(apps, RENAMED)


def to_platform_keys(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("meetings", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="clinicmeetingsettings",
            name="default_provider",
            field=models.CharField(choices=meetings.registry.provider_choices, default="selfhosted", max_length=40),
        ),
        migrations.AlterField(
            model_name="clinicmeetingsettings",
            name="fallback_provider",
            field=models.CharField(
                choices=meetings.registry.provider_choices,
                default="selfhosted",
                help_text="Gives a working link when the chosen provider fails for good.",
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="provider",
            field=models.CharField(choices=meetings.registry.provider_choices, max_length=40),
        ),
        migrations.RunPython(to_vendor_keys, to_platform_keys),
    ]
