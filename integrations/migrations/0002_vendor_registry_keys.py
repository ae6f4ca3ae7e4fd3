
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinicpro", "0001_initial"),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="connection",
            name="integrations_one_live_zoom_s2s_per_clinic",
        ),
        migrations.RemoveConstraint(
            model_name="connection",
            name="integrations_connection_owner_matches_kind",
        ),
        migrations.AlterField(
            model_name="connection",
            name="kind",
            field=models.CharField(
                choices=[
                    ("oauth", "Practitioner's account (OAuth)"),
                    ("server_to_server", "Clinic account (client credentials)"),
                ],
                default="oauth",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="connection",
            name="provider",
            field=models.CharField(max_length=16),
        ),
        migrations.AddConstraint(
            model_name="connection",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "server_to_server"), models.Q(("status", "revoked"), _negated=True)),
                fields=("clinic", "provider"),
                name="integrations_one_live_clinic_account_per_vendor",
            ),
        ),
        migrations.AddConstraint(
            model_name="connection",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "server_to_server"), ("membership__isnull", True)),
                    models.Q(("kind", "oauth"), ("membership__isnull", False)),
                    _connector="OR",
                ),
                name="integrations_connection_owner_matches_kind",
            ),
        ),
    ]
