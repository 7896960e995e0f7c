"""The application's configuration blueprint: what TurboGears sets up, before the ini adds its values."""

from tg import MinimalApplicationConfigurator
from tg.appwrappers.transaction_manager import TransactionApplicationWrapper
from tg.configurator.components.sqlalchemy import SQLAlchemyConfigurationComponent
from tg.configurator.components.transactions import TransactionManagerConfigurationComponent
from tg.util import Bunch

import tracker
from tasktracker.sqla import create_engine_for
from tracker import model
from tracker.controllers.root import RootController
from tracker.lib.problems import ProblemDetailsWrapper
from tracker.lib.routing import ExactPathsWrapper


# region: persistence
class SharedEngineSQLAlchemyComponent(SQLAlchemyConfigurationComponent):
    """TurboGears' SQLAlchemy support (DBSession setup and removal) over tasktracker's engine.

    TurboGears would build the engine with engine_from_config; tasktracker's makes SQLite writers
    queue instead of failing with "database is locked", and picks psycopg for PostgreSQL.
    """

    @staticmethod
    def create_sqlalchemy_engine(conf):
        return create_engine_for(conf["sqlalchemy.url"])


# endregion


# region: app-config
# Minimal rather than FullStack: a JSON API has no use for sessions, i18n, static files, the
# debugger or custom error pages, and leaving the error pages out means no HTML ever answers.
# The database and the transaction manager are the two FullStack parts it needs.
base_config = MinimalApplicationConfigurator()
base_config.register(SharedEngineSQLAlchemyComponent)

base_config.update_blueprint(
    {
        "package": tracker,
        "root_controller": RootController(),
        "renderers": ["json"],
        "default_renderer": "json",
        "use_sqlalchemy": True,
        "model": model,
        "DBSession": model.DBSession,
        # No templates, so no template globals or helpers (the quickstart's lib/app_globals.py
        # and lib/helpers.py).
        "app_globals": Bunch,
        "helpers": Bunch(),
    }
)
# endregion

# region: transaction
# The one place a request's transaction begins and ends: TurboGears' transaction manager, around
# dispatch. It commits when dispatch returned a response under 400 and aborts otherwise.
base_config.register(TransactionManagerConfigurationComponent)
base_config.update_blueprint({"tm.commit_veto": model.commit_veto})
# endregion

# region: app-config
# Application wrappers run inside TurboGears' request context (tg.request and tg.response are
# set up) but around dispatch and the transaction manager, so they see every request, including
# those the path check refuses and those whose commit fails. From the outside in:
#   ProblemDetailsWrapper → ExactPathsWrapper → transaction manager → dispatch
base_config.register_application_wrapper(ExactPathsWrapper, after=TransactionApplicationWrapper)
base_config.register_application_wrapper(ProblemDetailsWrapper, after=ExactPathsWrapper)
# endregion
