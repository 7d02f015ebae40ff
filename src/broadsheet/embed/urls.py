from __future__ import annotations

from django.urls import path

from broadsheet.embed import views

urlpatterns = [
    path("embed.js", views.embed_js, name="embed_js"),
    path("embed/sign-in/options", views.sign_in_options, name="embed_sign_in_options"),
    path("embed/sign-in/claim", views.sign_in_claim, name="embed_sign_in_claim"),
    path("embed/sign-in/done/", views.sign_in_done, name="embed_sign_in_done"),
    path("embed/sign-in/<str:provider_id>/", views.sign_in_start, name="embed_sign_in_start"),
    path("embed/thread/", views.thread_link, name="embed_thread"),
]
