"""web2py's smallest JSON app: gluon's wsgibase over one application with one controller."""

import os

os.environ.setdefault("web2py_path", os.path.dirname(os.path.abspath(__file__)))

from gluon.settings import global_settings

global_settings.web2py_runtime_handler = True

import gluon.main  # noqa: E402

app = gluon.main.wsgibase
