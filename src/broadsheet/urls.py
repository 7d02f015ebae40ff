from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.urls import include, path, re_path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from broadsheet.core import converters
from broadsheet.core.cache import cache_policy
from broadsheet.discussion import people
from broadsheet.moderation import reports as moderation_reports
from broadsheet.notifications import views as notifications_views

converters.register()  # yyyy and dd, used by the publishing and feeds URLs

# Translators: the admin's header; {site_name} is the site's name.
admin.site.site_header = format_lazy(_("{site_name} administration"), site_name=settings.SITE_NAME)
admin.site.site_title = settings.SITE_NAME

handler404 = "broadsheet.core.views.page_not_found"
handler500 = "broadsheet.core.views.server_error"


def _media(request: HttpRequest, path: str) -> HttpResponseBase:
    # MEDIA_ROOT read per request, not when the URLs load, so a test's own folder is served.
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


@cache_policy("never")
def _discussion_settings_moved(request: HttpRequest, rest: str) -> HttpResponseBase:
    """The Discussion settings' admin pages were under moderation until they moved to the
    discussion app (discussion migration 0013): old bookmarks and links still arrive."""
    return HttpResponsePermanentRedirect(f"/admin/discussion/discussionsettings/{rest}")


# Django tries these in order, and an include at "" is entered by every address, so the
# includes under a prefix of their own come first: an API call is not matched, and refused,
# against every page's pattern before its own (no "" include has an address under api/v1/).
urlpatterns = [
    path("api/v1/", include("broadsheet.api.urls")),
    path("", include("broadsheet.operations.urls")),  # /healthz, /readyz, /metrics
    re_path(r"^admin/moderation/discussionsettings/(?P<rest>.*)$", _discussion_settings_moved),
    path("admin/", admin.site.urls),
    path("", include("broadsheet.core.urls")),
    path("", include("broadsheet.embed.urls")),
    path("", include("broadsheet.discussion.urls")),
    # An account's pages that other apps answer: its email subscriptions (notifications), and
    # the public page of a commenter (discussion).
    path(
        "accounts/subscriptions/",
        notifications_views.account_subscriptions,
        name="account_subscriptions",
    ),
    path("people/<str:username>/", people.person, name="person"),
    path("", include("broadsheet.accounts.urls")),
    path("", include("broadsheet.notifications.urls")),
    path("", include("broadsheet.feeds.urls")),
    # Uploaded files (avatars, imported images). A front proxy may serve MEDIA_ROOT itself;
    # see docs/deployment.md.
    re_path(r"^media/(?P<path>.*)$", cache_policy("public", max_age=86_400)(_media)),
    path("moderation/", include("broadsheet.moderation.urls")),
    # "Report" on every comment: the moderation app's page, at the comment's own address.
    path("comment/<int:pk>/report/", moderation_reports.report_page, name="comment_report"),
    path("studio/", include("broadsheet.studio.urls")),
    path("", include("broadsheet.corrections.urls")),
    path("", include("broadsheet.notes.urls")),
    path("webmention/", include("broadsheet.webmention.urls")),
    path("", include("broadsheet.federation.urls")),
    path("", include("broadsheet.publishing.urls")),
]
