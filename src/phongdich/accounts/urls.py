from django.urls import path

from phongdich.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("2fa/", views.totp_verify, name="totp_verify"),
    path("2fa/setup/", views.totp_setup, name="totp_setup"),
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_log, name="audit"),
]
