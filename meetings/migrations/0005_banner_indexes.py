from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_booking_online_confirmed_ends"),
        ("meetings", "0004_fallback_reasons_without_full_stop"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                condition=models.Q(("is_current", True), ("is_fallback", True)),
                fields=["booking"],
                name="meeting_current_fallback",
            ),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                condition=models.Q(("provider_deleted_at__isnull", True)),
                fields=["step_failures"],
                name="meeting_undeleted_failures",
            ),
        ),
    ]
