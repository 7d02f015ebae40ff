from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    name = "broadsheet.discussion"
    label = "discussion"
    verbose_name = _("Discussion")

    def ready(self) -> None:
        from broadsheet.accounts.comment_login import comment_form_register
        from broadsheet.core.cache import personal_cookie_register
        from broadsheet.discussion.context import discussion_context
        from broadsheet.discussion.cookies import PENDING_COOKIE
        from broadsheet.discussion.selectors import comments_for_metadata
        from broadsheet.discussion.services import MAX_BODY, MAX_EMAIL, MAX_NAME, MAX_URL
        from broadsheet.publishing.selectors import post_for_comments
        from broadsheet.publishing.views import PostDiscussion, post_discussion_register

        # Signing in from the comment form keeps its draft, each field within the form's limit,
        # and comes back to the form's post.
        comment_form_register(
            limits={"comment": MAX_BODY, "author": MAX_NAME, "email": MAX_EMAIL, "url": MAX_URL},
            post=post_for_comments,
        )
        # A guest's held comment is shown to them alone: pages carrying its cookie are personal.
        personal_cookie_register(PENDING_COOKIE)
        # A post's page shows its thread, form and passages' margins, and names its first
        # comments in its JSON-LD.
        post_discussion_register(
            PostDiscussion(context=discussion_context, comments_for_metadata=comments_for_metadata)
        )
