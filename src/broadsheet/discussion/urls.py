from django.urls import path, re_path

from broadsheet.discussion import views

app_name = "discussion"
urlpatterns = [
    path("comments/post/", views.comment_post, name="post"),
    path("comment/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comment/<int:pk>/edit/", views.comment_edit_page, name="edit"),
    path("comment/<int:pk>/delete/", views.comment_delete_page, name="delete"),
    path("comment/<int:pk>/like/", views.comment_like_view, name="like"),
    path("comment/<int:pk>/pin/", views.comment_pin_view, name="pin"),
    path("post-like/<int:pk>/", views.post_like_view, name="post_like"),
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
