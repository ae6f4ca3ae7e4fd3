from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_booking_service_name_snapshot"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                condition=models.Q(("is_online", True), ("status", "confirmed")),
                fields=["ends_at"],
                name="booking_online_confirmed_ends",
            ),
        ),
    ]
