from django.urls import path

from broadsheet.webmention import views

app_name = "webmention"
urlpatterns = [
    path("", views.receive, name="endpoint"),
    path("<uuid:token>/", views.status, name="status"),
]
