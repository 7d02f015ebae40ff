"""A context note's own page (`/notes/<id>/`: the note, its status and why, its history) and
the open data (`/notes/data/` and its files)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from broadsheet.core.cache import cache_policy
from broadsheet.notes import opendata
from broadsheet.notes.models import NoteSettings
from broadsheet.notes.selectors import explanation, note_detail

REMOVED = "This context note was removed by the site's moderators: it broke the site's rules."


@require_safe
@cache_policy("private")  # its status and history change with every scoring run
def note_page(request: HttpRequest, pk: int) -> HttpResponse:
    note = note_detail(pk)
    if note is None:
        raise Http404("No such context note.")
    if note.removed:
        return render(request, "notes/note.html", {"removed": REMOVED}, status=410)
    context = {
        "note": note,
        # The settings' thresholds, which the run passed to the scorer (notes.runs.params_from).
        "why": explanation(note, NoteSettings.current()),
        "notes_url": f"{note.post_url}notes/",
    }
    return render(request, "notes/note.html", context)


@require_safe
@cache_policy("public")
def data_page(request: HttpRequest) -> HttpResponse:
    files = [(name, header) for name, (header, _rows) in opendata.FILES.items()]
    return render(request, "notes/data.html", {"files": files})


@require_safe
@cache_policy("private")  # read afresh: a removed note leaves the next download at once
def data_file(request: HttpRequest, name: str) -> StreamingHttpResponse:
    if name not in opendata.FILES:
        raise Http404("No such file.")
    response = StreamingHttpResponse(
        opendata.tsv(name), content_type="text/tab-separated-values; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
