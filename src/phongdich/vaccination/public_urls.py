"""Public (citizen-facing) pages of vaccination: registration, certificate verifier."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
