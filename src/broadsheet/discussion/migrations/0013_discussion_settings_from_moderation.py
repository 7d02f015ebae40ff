"""DiscussionSettings moves from moderation to discussion, the app whose behaviour it sets
(docs/architecture.md: settings live with the app that owns them; a lower layer no longer
imports a higher one for them). The row and its table are kept: the model is added here in
the state only, on the old table, which is then renamed; moderation 0006 drops the old model
from its state only. The content type moves with it, so the permissions and admin history
that name it stay attached."""

import django.core.validators
from django.db import migrations, models


def content_type_to(app_label_from: str, app_label_to: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if ContentType.objects.filter(app_label=app_label_to, model="discussionsettings").exists():
            return
        ContentType.objects.filter(app_label=app_label_from, model="discussionsettings").update(
            app_label=app_label_to
        )

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("discussion", "0012_top_level_comment_starts_its_thread"),
        ("moderation", "0005_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DiscussionSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "comments_open_by_default",
                            models.BooleanField(
                                default=True,
                                verbose_name="Allow people to submit comments on new posts",
                            ),
                        ),
                        (
                            "require_name_email",
                            models.BooleanField(
                                default=True,
                                verbose_name="Comment author must fill out name and email",
                            ),
                        ),
                        (
                            "comment_registration",
                            models.BooleanField(
                                default=False,
                                verbose_name="Users must be registered and logged in to comment",
                            ),
                        ),
                        (
                            "close_comments_for_old_posts",
                            models.BooleanField(
                                default=False,
                                verbose_name="Automatically close comments on old posts",
                            ),
                        ),
                        (
                            "close_comments_days_old",
                            models.PositiveIntegerField(
                                default=14,
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="Close comments on posts older than (days)",
                            ),
                        ),
                        (
                            "show_comments_cookies_opt_in",
                            models.BooleanField(
                                default=True,
                                verbose_name="Show comments cookies opt-in checkbox, allowing comment author cookies to be set",
                            ),
                        ),
                        (
                            "thread_comments",
                            models.BooleanField(
                                default=True, verbose_name="Enable threaded (nested) comments"
                            ),
                        ),
                        (
                            "thread_comments_depth",
                            models.PositiveSmallIntegerField(
                                default=5,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(10),
                                ],
                                verbose_name="Levels deep",
                            ),
                        ),
                        (
                            "page_comments",
                            models.BooleanField(
                                default=False, verbose_name="Break comments into pages"
                            ),
                        ),
                        (
                            "comments_per_page",
                            models.PositiveIntegerField(
                                default=50,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(1000),
                                ],
                                verbose_name="Top-level comments per page",
                            ),
                        ),
                        (
                            "default_comments_page",
                            models.CharField(
                                choices=[("newest", "last"), ("oldest", "first")],
                                default="newest",
                                max_length=6,
                                verbose_name="Comments page displayed by default",
                            ),
                        ),
                        (
                            "comment_order",
                            models.CharField(
                                choices=[
                                    ("asc", "older"),
                                    ("desc", "newer"),
                                    ("best", "most liked"),
                                ],
                                default="asc",
                                max_length=4,
                                verbose_name="Comments at the top of each page",
                            ),
                        ),
                        (
                            "comments_notify",
                            models.BooleanField(
                                default=True,
                                verbose_name="Email the post's authors whenever anyone posts a comment",
                            ),
                        ),
                        (
                            "moderation_notify",
                            models.BooleanField(
                                default=True,
                                verbose_name="Email moderators whenever a comment is held for moderation",
                            ),
                        ),
                        (
                            "show_subscription_options",
                            models.BooleanField(
                                default=True,
                                verbose_name="Offer “Notify me of follow-up comments” and “Notify me of new posts” under the comment form",
                            ),
                        ),
                        (
                            "notification_digest_after",
                            models.PositiveSmallIntegerField(
                                default=3,
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="Emails per person per hour before the rest are gathered into one digest",
                            ),
                        ),
                        (
                            "comment_moderation",
                            models.BooleanField(
                                default=False, verbose_name="Comment must be manually approved"
                            ),
                        ),
                        (
                            "comment_previously_approved",
                            models.BooleanField(
                                default=True,
                                verbose_name="Comment author must have a previously approved comment",
                            ),
                        ),
                        (
                            "comment_max_links",
                            models.PositiveSmallIntegerField(
                                default=2,
                                verbose_name="Hold a comment in the queue if it contains this many or more links",
                            ),
                        ),
                        (
                            "moderation_keys",
                            models.TextField(
                                blank=True,
                                help_text="One word or IP address per line. A comment whose content, name, URL, email, IP address or browser's user agent contains one of them is held in the queue. Words inside words match too: “press” matches “WordPress”.",
                                verbose_name="Moderation words",
                            ),
                        ),
                        (
                            "disallowed_keys",
                            models.TextField(
                                blank=True,
                                help_text="One word or IP address per line, matched the same way; such comments go to the Trash.",
                                verbose_name="Disallowed comment keys",
                            ),
                        ),
                        (
                            "minimum_seconds_on_page",
                            models.PositiveSmallIntegerField(
                                default=3,
                                help_text="Faster submissions are filed as spam: people need a moment to write.",
                                verbose_name="Minimum seconds between opening the page and posting",
                            ),
                        ),
                        (
                            "spam_threshold",
                            models.FloatField(
                                default=0.9,
                                help_text="Comments the learning filter scores at or above this go to spam (0.5 is neutral).",
                                validators=[
                                    django.core.validators.MinValueValidator(0.5),
                                    django.core.validators.MaxValueValidator(1.0),
                                ],
                                verbose_name="Spam score threshold",
                            ),
                        ),
                        (
                            "show_avatars",
                            models.BooleanField(default=True, verbose_name="Show avatars"),
                        ),
                        (
                            "use_gravatar",
                            models.BooleanField(
                                default=False,
                                help_text="Off: every avatar is an identicon drawn by this site. On: readers' browsers ask gravatar.com for a picture, which tells Gravatar who reads which post.",
                                verbose_name="Use Gravatar",
                            ),
                        ),
                        (
                            "ip_retention_days",
                            models.PositiveIntegerField(
                                default=60,
                                help_text="Afterwards they are anonymised (the last part zeroed).",
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="Keep commenters' IP addresses for (days)",
                            ),
                        ),
                        (
                            "empty_trash_days",
                            models.PositiveIntegerField(
                                default=30,
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="Empty trash and spam after (days)",
                            ),
                        ),
                        (
                            "public_moderation_log",
                            models.BooleanField(
                                default=False,
                                help_text="When a published comment is held, trashed or marked as spam, its thread says “A comment by … was removed on …: (the reason)” in its place, and /moderation/log/ lists every such removal, with a feed.",
                                verbose_name="Publish a moderation log",
                            ),
                        ),
                        (
                            "moderation_reasons",
                            models.TextField(
                                default="Spam\nOff-topic\nPersonal attack\nDuplicate",
                                help_text="One per line, offered to moderators when the log is on; “Other” (with their own words) is always offered too. Spam is the Spam button's reason, the first other line that of Unapprove and Trash.",
                                verbose_name="Reasons for removing a comment",
                            ),
                        ),
                        (
                            "comment_likes",
                            models.BooleanField(
                                default=True, verbose_name="Readers may like comments"
                            ),
                        ),
                        (
                            "post_likes",
                            models.BooleanField(
                                default=False, verbose_name="Readers may like the essay itself"
                            ),
                        ),
                        (
                            "collapse_below",
                            models.SmallIntegerField(
                                default=0,
                                help_text="0 shows every comment open. Collapsed comments open with a click (no script needed). Only used when threads are ordered most liked first.",
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(1000),
                                ],
                                verbose_name="Collapse comments with fewer likes than",
                            ),
                        ),
                        (
                            "max_pinned",
                            models.PositiveSmallIntegerField(
                                default=3,
                                help_text="Authors and moderators pin comments to the top of the discussion; 0 turns pinning off.",
                                validators=[django.core.validators.MaxValueValidator(20)],
                                verbose_name="Pinned comments per post",
                            ),
                        ),
                        (
                            "reports_to_hold",
                            models.PositiveSmallIntegerField(
                                default=3,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(100),
                                ],
                                verbose_name="Hold a comment after this many readers report it",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "discussion settings",
                        "verbose_name_plural": "discussion settings",
                        "db_table": "moderation_discussionsettings",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="discussionsettings", table=None),
        migrations.RunPython(
            content_type_to("moderation", "discussion"), content_type_to("discussion", "moderation")
        ),
    ]
