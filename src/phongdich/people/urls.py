from django.urls import path

from phongdich.people import views

app_name = "people"
urlpatterns = [
    path("xac-minh", views.proof_request, name="proof_request"),
    path("xac-minh/ma", views.proof_code, name="proof_code"),
]
