from django.urls import path

from broadsheet.moderation import public, views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    # The public log (moderation.public): a 404 unless the site publishes it.
    path("log/", public.log, name="log"),
    path("log/page/<int:number>/", public.log, name="log_page"),
    path("log/feed/", public.log_feed, name="log_feed"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    # approve, unapprove, spam, not_spam, trash, restore or delete; anything else is a 404.
    path("<int:pk>/<str:action>/", views.comment_action, name="action"),
]
