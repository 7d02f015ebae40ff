"""The studio, /studio/. Other features add their views here: a module of their own in this
app (references.py, revisions.py, media.py), a few lines below, and their tabs with
broadsheet.studio.nav.add_tab. Every view is decorated with access.studio_user."""

from django.urls import path

from broadsheet.studio import references, views

app_name = "studio"
urlpatterns = [
    path("", views.post_list, name="posts"),
    # A post's references (studio/references.py); one is named by its key, as cited: @key.
    path("posts/<int:pk>/references/", references.reference_list, name="references"),
    path("posts/<int:pk>/references/paste/", references.references_paste, name="references_paste"),
    path("posts/<int:pk>/references/new/", references.reference_new, name="reference_new"),
    path("posts/<int:pk>/references/reuse/", references.reference_reuse, name="reference_reuse"),
    path("posts/<int:pk>/references/@<str:key>/", references.reference_edit, name="reference_edit"),
    path(
        "posts/<int:pk>/references/@<str:key>/delete/",
        references.reference_remove,
        name="reference_delete",
    ),
    path(
        "posts/<int:pk>/references/@<str:key>/uncited/",
        references.reference_uncited,
        name="reference_uncited",
    ),
]
