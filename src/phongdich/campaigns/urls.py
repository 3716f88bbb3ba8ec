from django.urls import path

from phongdich.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new", views.campaign_new, name="new"),
    path("preview", views.campaign_preview, name="preview"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/approve", views.campaign_approve, name="approve"),
    path("<int:pk>/cancel", views.campaign_cancel, name="cancel"),
    path("<int:pk>/submit", views.campaign_submit, name="submit"),
    path("<int:pk>/export.csv", views.campaign_export, name="export"),
]
