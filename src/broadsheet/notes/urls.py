"""The context notes' public addresses (docs/notes.md, docs/notes-publishing.md)."""

from django.urls import URLPattern, path

from broadsheet.notes import pages, views

app_name = "notes"
_ESSAY = "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/notes/"
urlpatterns: list[URLPattern] = [
    # Writing and rating (the readers' side): an essay's notes page, a new note on the essay or
    # on one passage of it, a rating.
    path(_ESSAY, views.essay_notes, name="essay"),
    path(f"{_ESSAY}help/", views.essay_help, name="help"),  # the essay page's "Needs your help"
    path(f"{_ESSAY}new/", views.note_new, name="new"),
    path(f"{_ESSAY}new/<str:passage>/", views.note_new, name="new_passage"),
    path("notes/<int:pk>/rate/", views.rate, name="rate"),
    # A note's own page and the open data (scoring runs' side: docs/notes-publishing.md).
    path("notes/<int:pk>/", pages.note_page, name="note"),
    path("notes/data/", pages.data_page, name="data"),
    path("notes/data/<str:name>", pages.data_file, name="data_file"),
]
