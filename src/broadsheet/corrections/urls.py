"""The corrections' public addresses: a passage's "Suggest a correction" (beside the post's
own addresses), and the site-wide list with its feed."""

from django.urls import path

from broadsheet.corrections import views
from broadsheet.corrections.feeds import CorrectionsFeed
from broadsheet.feeds.views import feed_view

app_name = "corrections"
urlpatterns = [
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<str:slug>/correct/<str:passage>/",
        views.suggest,
        name="suggest",
    ),
    path("corrections/", views.corrections_page, name="list"),
    path("corrections/page/<int:page>/", views.corrections_page, name="list_page"),
    path("corrections/feed/", feed_view(CorrectionsFeed()), name="feed"),
]
