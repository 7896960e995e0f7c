# region: errors
# routes.py sends every path that matches no route of the spec here.

from resources import problem_http

from tasktracker.errors import NotFound


def not_found():
    raise problem_http(NotFound())


# endregion
