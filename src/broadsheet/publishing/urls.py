from django.urls import path

from broadsheet.publishing import threads, versions, views

app_name = "publishing"
urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page>/", views.home, name="home_page"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/", views.post_detail, name="post"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/comment-page-<int:cpage>/",
        views.post_detail,
        name="post_comment_page",
    ),
    # Published versions, each at a permanent address (publishing.versions, decision 0039).
    path("<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/v/", versions.post_history, name="history"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/v/<int:version>/",
        versions.post_version,
        name="version",
    ),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/v/<int:version>/changes/",
        versions.post_changes,
        name="version_changes",
    ),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/references.<str:extension>",
        views.post_references,
        name="post_references",
    ),
    # Threads of pages elsewhere (publishing.threads): never listed, linked from the embed.
    path("thread/<int:pk>/", threads.thread_page, name="thread"),
    path("thread/<int:pk>/comment-page-<int:cpage>/", threads.thread_page, name="thread_page"),
    path("preview/<int:pk>/", views.post_preview, name="preview"),
    path("author/<str:username>/", views.author_archive, name="author"),
    path("author/<str:username>/page/<int:page>/", views.author_archive, name="author_page"),
    path("category/<path:path>/page/<int:page>/", views.category_archive, name="category_page"),
    path("category/<path:path>/", views.category_archive, name="category"),
    path("tag/<str:slug>/", views.tag_archive, name="tag"),
    path("tag/<str:slug>/page/<int:page>/", views.tag_archive, name="tag_page"),
    # Date archives, as WordPress's: /2026/, /2026/03/, /2026/03/14/, each with page/N/.
    path("<yyyy:year>/", views.date_archive, name="year"),
    path("<yyyy:year>/page/<int:page>/", views.date_archive, name="year_page"),
    path("<yyyy:year>/<dd:month>/", views.date_archive, name="month"),
    path("<yyyy:year>/<dd:month>/page/<int:page>/", views.date_archive, name="month_page"),
    path("<yyyy:year>/<dd:month>/<dd:day>/", views.date_archive, name="day"),
    path("<yyyy:year>/<dd:month>/<dd:day>/page/<int:page>/", views.date_archive, name="day_page"),
    # Pages last: any other path may be a (nested) static page, as in WordPress.
    path("<path:path>/", views.page_detail, name="page"),
]
