"""``/api``: the API's description, and the tasks resource under it."""

import tg
from tg import TGController, expose

from tasktracker.http import api_info
from tracker.controllers.accounts import TokensController, UsersController
from tracker.controllers.tasks import TasksController


# region: routing
class ApiController(TGController):
    users = UsersController()
    tokens = TokensController()
    tasks = TasksController()

    @expose("json")
    def index(self):
        return api_info(tg.config["tracker.settings"])


# endregion
