from django.urls import path

from broadsheet.federation import views

app_name = "federation"
urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("ap/inbox", views.receive, name="shared_inbox"),
    path("ap/users/<str:username>", views.actor, name="actor"),
    path("ap/users/<str:username>/inbox", views.receive, name="inbox"),
    path("ap/users/<str:username>/outbox", views.outbox, name="outbox"),
    path("ap/users/<str:username>/followers", views.followers, name="followers"),
    path("ap/posts/<int:post_id>", views.article, name="article"),
    path("ap/comments/<int:comment_id>", views.note, name="note"),
    path("ap/activities/<uuid:token>", views.activity, name="activity"),
]
