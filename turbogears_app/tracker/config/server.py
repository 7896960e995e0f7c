"""The PasteDeploy server factory: ``use = call:tracker.config.server:make_server``.

gunicorn's own PasteDeploy runner (``egg:gunicorn#main``) takes the ini's values as they are;
this factory hands it tasktracker's gunicorn settings instead, for the settings in force.
"""

from gunicorn.app.pasterapp import serve as gunicorn_paste_serve

from tasktracker.gunicorn_settings import gunicorn_settings
from tracker.config.settings import deployment_settings


# region: serving
def make_server(global_conf, **server_conf):
    # Now, when PasteDeploy loads the server: gearbox loads the application next, in this same
    # master process, and prometheus' multiprocess directory must exist before that import.
    options = gunicorn_settings(deployment_settings({**global_conf, **server_conf}))

    def serve(app):
        gunicorn_paste_serve(app, global_conf, **options)

    return serve


# endregion
