from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html")


def coming_soon(request, feature: str):
    return render(request, "portal/coming_soon.html", {"feature": feature})
