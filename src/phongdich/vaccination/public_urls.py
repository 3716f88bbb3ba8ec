"""Public (citizen-facing) pages of vaccination: registration, certificate verifier, the holder's
pages. ``/xac-thuc`` here takes over the portal's placeholder (both URL names lead to it)."""

from django.urls import path

from phongdich.vaccination import holder_recovery, public

app_name = "vaccination_public"
urlpatterns = [
    path("xac-thuc", public.verify, name="verify"),
    path("dang-ky-tiem", public.register, name="register"),
    # Before <str:token>: a holder who lost their links gets them back by a code to their phone.
    path("dang-ky-tiem/lay-lai", holder_recovery.recover_request, name="recover"),
    path("dang-ky-tiem/lay-lai/ma", holder_recovery.recover_code, name="recover_code"),
    path("dang-ky-tiem/<str:token>", public.registration_status, name="registration"),
    # The file variants first: <str:token> would swallow "<token>.pdf".
    path("chung-nhan/<str:token>.pdf", public.certificate_pdf, name="certificate_pdf"),
    path("chung-nhan/<str:token>.png", public.certificate_qr, name="certificate_qr"),
    path("chung-nhan/<str:token>", public.certificate_page, name="certificate"),
]
