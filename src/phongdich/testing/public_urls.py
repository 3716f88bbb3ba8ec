"""Public (citizen-facing) pages of testing: result lookup (/ket-qua) and its certificate.

Included at the site root before the portal, so ``ket-qua`` here replaces the portal's
placeholder (the home page links to ``portal:results``, which resolves to the same path).
"""

from django.urls import path

from phongdich.testing import public

urlpatterns = [
    path("ket-qua", public.results, name="testing_results"),
    path("ket-qua/chung-nhan/<str:token>", public.certificate, name="testing_certificate"),
]
