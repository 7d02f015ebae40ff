from django.urls import path

from broadsheet.notifications import views

app_name = "notifications"
urlpatterns = [
    path("subscriptions/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscriptions/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("subscriptions/<str:token>/", views.manage, name="manage"),
    path("moderation/email/<str:token>/", views.moderate, name="moderate"),
]
