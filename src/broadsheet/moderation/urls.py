from django.urls import path

from broadsheet.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    # approve, unapprove, spam, not_spam, trash, restore or delete; anything else is a 404.
    path("<int:pk>/<str:action>/", views.comment_action, name="action"),
]
