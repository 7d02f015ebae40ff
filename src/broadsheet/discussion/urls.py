from django.urls import path

from broadsheet.discussion import views

app_name = "discussion"
urlpatterns = [
    path("comments/post/", views.comment_post, name="post"),
    path("comment/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comments/identity/", views.comment_identity, name="identity"),
]
