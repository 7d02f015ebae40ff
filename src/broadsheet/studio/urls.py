"""The studio, /studio/. Other features add their views here: a module of their own in this
app (references.py, revisions.py, media.py), a few lines below, and their tabs with
broadsheet.studio.nav.add_tab. Every view is decorated with access.studio_user."""

from django.urls import path

from broadsheet.studio import views

app_name = "studio"
urlpatterns = [
    path("", views.post_list, name="posts"),
]
