"""DiscussionSettings now belongs to discussion (discussion 0013 keeps its table and row):
dropped from this app's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0013_discussion_settings_from_moderation"),
        ("moderation", "0005_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DiscussionSettings")],
        ),
    ]
