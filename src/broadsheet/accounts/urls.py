from django.urls import include, path

from broadsheet.accounts import comment_login, token_views, views

urlpatterns = [
    path("accounts/comment-login/", comment_login.comment_login, name="comment_login"),
    path(
        "accounts/comment-login/<str:provider_id>/popup/",
        comment_login.comment_login_popup,
        name="comment_login_popup",
    ),
    path("accounts/popup-done/", comment_login.popup_done, name="popup_done"),
    path("accounts/comment-logout/", comment_login.comment_logout, name="comment_logout"),
    path("accounts/profile/", views.profile_edit, name="profile_edit"),
    path("accounts/tokens/", token_views.tokens, name="account_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", token_views.token_revoke, name="account_token_revoke"),
    path("", include("broadsheet.accounts.privacy_views")),
    path("accounts/", include("allauth.urls")),
]
