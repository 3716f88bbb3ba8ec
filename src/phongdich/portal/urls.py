from django.urls import path

from phongdich.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("ket-qua", views.coming_soon, {"feature": "results"}, name="results"),
    path("xac-thuc", views.coming_soon, {"feature": "verify"}, name="verify"),
    path("huong-dan", views.coming_soon, {"feature": "checkin_help"}, name="checkin_help"),
]
