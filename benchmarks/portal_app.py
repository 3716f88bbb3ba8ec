"""The WSGI application `portal_load.py` serves: the project's own (same middleware, same fast
path) plus one hello-world Django view, the baseline the portal pages are compared with."""

from django.http import HttpResponse
from django.urls import path

from phongdich.wsgi import application  # noqa: F401  (what gunicorn serves)


def hello(request):
    return HttpResponse(b"Hello, world", content_type="text/plain")


import phongdich.urls  # noqa: E402

phongdich.urls.urlpatterns.insert(0, path("bench-hello", hello))
