"""The context notes' public addresses (docs/notes.md)."""

from django.urls import URLPattern

app_name = "notes"
urlpatterns: list[URLPattern] = []
