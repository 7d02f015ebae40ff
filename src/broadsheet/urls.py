from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from broadsheet.core import converters
from broadsheet.core.cache import cache_policy

converters.register()  # yyyy and dd, used by the publishing and feeds URLs

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME

handler404 = "broadsheet.core.views.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("broadsheet.core.urls")),
    path("", include("broadsheet.discussion.urls")),
    path("", include("broadsheet.accounts.urls")),
    path("", include("broadsheet.notifications.urls")),
    path("", include("broadsheet.feeds.urls")),
    # Uploaded files (avatars). A front proxy may serve MEDIA_ROOT itself; see docs/deployment.md.
    re_path(
        r"^media/(?P<path>.*)$",
        cache_policy("public", max_age=86_400)(serve),
        {"document_root": settings.MEDIA_ROOT},
    ),
    path("moderation/", include("broadsheet.moderation.urls")),
    path("", include("broadsheet.publishing.urls")),
]
