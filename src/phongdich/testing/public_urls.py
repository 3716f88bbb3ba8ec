"""Public (citizen-facing) pages of testing: result lookup (/ket-qua)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
