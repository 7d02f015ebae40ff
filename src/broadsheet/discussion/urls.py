from django.urls import path, re_path

from broadsheet.discussion import views

app_name = "discussion"
urlpatterns = [
    path("comments/post/", views.comment_post, name="post"),
    path("comment/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comments/identity/", views.comment_identity, name="identity"),
    # Responding to one passage without JavaScript (decision 0048): a post's, then a page's.
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/respond/<str:passage>/",
        views.passage_respond,
        name="respond",
    ),
    re_path(
        r"^(?P<path>[\w-]+(?:/[\w-]+)*)/respond/(?P<passage>[^/]+)/$",
        views.passage_respond,
        name="respond_page",
    ),
]
