"""The WSGI application gunicorn serves: ``gunicorn --config gunicorn.conf.py config.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

# region: serving
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
# endregion
