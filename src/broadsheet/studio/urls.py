"""The studio, /studio/. Other features add their views here: a module of their own in this
app (references.py, revisions.py, media.py), a few lines below, and their tabs with
broadsheet.studio.nav.add_tab. Every view is decorated with access.studio_user."""

from django.urls import path

from broadsheet.studio import corrections, editor, followers, media, references, revisions, views

app_name = "studio"
urlpatterns = [
    path("", views.post_list, name="posts"),
    path("posts/new/", editor.post_new, name="new"),
    path("pages/new/", editor.post_new, {"kind": "page"}, name="new_page"),
    path("posts/new/autosave/", editor.autosave, name="autosave_new"),
    path("posts/new/preview/", editor.preview, name="preview_new"),
    path("posts/<int:pk>/", editor.post_edit, name="edit"),
    path("posts/<int:pk>/autosave/", editor.autosave, name="autosave"),
    path("posts/<int:pk>/preview/", editor.preview, name="preview"),
    path("posts/<int:pk>/notes/", views.note_add, name="note_add"),
    path("posts/<int:pk>/revisions/", revisions.revision_list, name="revisions"),
    path("posts/<int:pk>/revisions/compare/", revisions.revision_compare, name="revision_compare"),
    path(
        "posts/<int:pk>/revisions/<int:revision_id>/restore/",
        revisions.revision_restore_view,
        name="revision_restore",
    ),
    # Readers' suggested corrections (studio/corrections.py).
    path("corrections/", corrections.correction_list, name="corrections"),
    path("followers/", followers.follower_list, name="followers"),
    path("corrections/<int:pk>/", corrections.correction_detail, name="correction"),
    path(
        "corrections/<int:pk>/accept/",
        corrections.correction_decide,
        {"verdict": "accept"},
        name="correction_accept",
    ),
    path(
        "corrections/<int:pk>/decline/",
        corrections.correction_decide,
        {"verdict": "decline"},
        name="correction_decline",
    ),
    path("posts/<int:pk>/corrections/", corrections.post_corrections, name="post_corrections"),
    path("media/", media.media_library, name="media"),
    path("media/upload/", media.media_upload_page, name="media_upload"),
    path("media/pick/", media.media_pick, name="media_pick"),
    path("media/<int:pk>/", media.media_edit, name="media_edit"),
    path("media/<int:pk>/delete/", media.media_remove, name="media_delete"),
    path("media/<int:pk>/feature/", media.media_feature, name="media_feature"),
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
