from django.urls import path

from broadsheet.core import views

app_name = "core"
urlpatterns = [
    path("identicon/<str:key>.svg", views.identicon, name="identicon"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("jsi18n/<str:language>/<str:version>.js", views.javascript_catalog, name="jsi18n"),
]
