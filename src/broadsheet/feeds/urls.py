"""WordPress's feed addresses: /feed/, /feed/atom/, /comments/feed/, /category/x/feed/, and a
post's comments at its permalink plus feed/."""

from django.urls import path

from broadsheet.feeds import views

app_name = "feeds"
urlpatterns = [
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<str:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots, name="robots"),
    path("feed/", views.rss, name="rss"),
    path("feed/atom/", views.atom, name="atom"),
    path("feed/json/", views.json_feed, name="json"),
    path("comments/feed/", views.comments, name="comments"),
    path("category/<path:path>/feed/", views.category, name="category"),
    path("tag/<str:slug>/feed/", views.tag, name="tag"),
    path("author/<str:username>/feed/", views.author, name="author"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/feed/",
        views.post_comments,
        name="post_comments",
    ),
]
