from django.urls import path

from phongdich.people import staff_views, views

app_name = "people"
urlpatterns = [
    path("xac-minh", views.proof_request, name="proof_request"),
    path("xac-minh/ma", views.proof_code, name="proof_code"),
    path("staff/people/claims", staff_views.claims, name="claims"),
    path("staff/people/claims/<int:claim_id>", staff_views.settle_claim, name="settle_claim"),
]
