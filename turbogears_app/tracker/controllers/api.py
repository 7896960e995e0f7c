"""``/api``: the API's description, and the tasks resource under it."""

from tg import TGController, expose

from tasktracker.http import api_info
from tracker.config.settings import VARIANT
from tracker.controllers.tasks import TasksController


# region: routing
class ApiController(TGController):
    tasks = TasksController()

    @expose("json")
    def index(self):
        return api_info(VARIANT, "TurboGears2")


# endregion
