import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
_django = get_wsgi_application()

from phongdich.fast_api import wrap  # noqa: E402  (needs Django set up)

# Citizens' anonymous check-ins skip the middleware stack; everything else is plain Django.
application = wrap(_django)
