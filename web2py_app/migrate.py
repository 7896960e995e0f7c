"""Create or migrate the schema before the server starts: ``python migrate.py``.

The web2py way (``web2py.py -S tasks -M``): run the tasks application's models in a shell
environment, here with DAL migrations switched on; the server runs them with migrations off.
"""

import os

# region: app-config
APPLICATIONS_PARENT = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("web2py_path", APPLICATIONS_PARENT)
# endregion

from gluon.shell import env  # noqa: E402

# region: persistence
# The DAL keeps its .table files in the application's databases/ folder, which web2py creates
# on the first request; the shell does not.
os.makedirs(os.path.join(APPLICATIONS_PARENT, "applications", "tasks", "databases"), exist_ok=True)
environment = env("tasks", import_models=True, extra_request={"migrate": True})
environment["connect_database"]().commit()
# endregion
