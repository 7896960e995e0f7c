"""The application's configuration blueprint: what TurboGears sets up, before the ini adds its values."""

from tg import MinimalApplicationConfigurator
from tg.appwrappers.transaction_manager import TransactionApplicationWrapper
from tg.configuration.auth import TGAuthMetadata
from tg.configurator.components.auth import SimpleAuthenticationConfigurationComponent
from tg.configurator.components.sqlalchemy import SQLAlchemyConfigurationComponent
from tg.configurator.components.transactions import TransactionManagerConfigurationComponent
from tg.util import Bunch

import tracker
from tasktracker.sqla import create_engine_for
from tracker import model
from tracker.controllers.root import RootController
from tracker.lib.auth import AUTHENTICATION_FAILURE, BearerTokenPlugin, challenge_decider, classify_request
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


# region: auth
class ApplicationAuthMetadata(TGAuthMetadata):
    """The quickstart's class, for a bearer token instead of a login form: sa_auth's authenticator
    (``authenticate``) and how its identity finds the user (``get_user``).

    The token is checked by tasktracker's AccountService, before the transaction manager begins
    the request's transaction, so in a unit of work of its own; the user is then read in the
    request's transaction, as TurboGears' IdentityApplicationWrapper asks for it.
    """

    def __init__(self, sa_auth):
        self.sa_auth = sa_auth

    def authenticate(self, environ, identity):
        """The token's user name (sa_auth's userid), or None: the predicate then refuses."""
        try:
            with model.TransactionUnitOfWork() as unit_of_work:
                authenticated = model.account_service(unit_of_work).authenticate(identity.pop("authorization"))
        except Exception as failure:
            # Answered after dispatch, by the predicate's refusal or repoze.who's challenger, so that a
            # bearer route's 404 or 405 still comes first.
            environ[AUTHENTICATION_FAILURE] = failure
            return None
        # For revoking this very token (DELETE /api/tokens/current).
        identity["authenticated"] = authenticated
        return authenticated.user.username

    def get_user(self, identity, userid):
        return self.sa_auth.dbsession.query(self.sa_auth.user_class).filter_by(user_name=userid).one()


bearer_token_plugin = BearerTokenPlugin()
base_config.register(SimpleAuthenticationConfigurationComponent)
base_config.update_blueprint(
    {
        "sa_auth.enabled": True,
        "sa_auth.dbsession": model.DBSession,
        "sa_auth.user_class": model.User,
        # The bearer plugin identifies and challenges; TurboGears' authenticator is authmetadata's.
        "sa_auth.identifiers": [("bearer", bearer_token_plugin)],
        "sa_auth.form_plugin": bearer_token_plugin,
        "sa_auth.form_identifies": False,
        "sa_auth.using_password": False,
        "sa_auth.classifier": classify_request,
        "sa_auth.challenge_decider": challenge_decider,
        # No auth_tkt cookie (it is TurboGears' default identifier): TurboGears only checks that
        # a secret is configured, and nothing uses it.
        "sa_auth.cookie_secret": None,
        # repoze.who logs each request's start and end at info and what it identified at debug;
        # its logger is quiet below warning (config/middleware.py).
        "sa_auth.log_stream": "repoze.who",
    }
)
base_config.update_blueprint(
    {"sa_auth.authmetadata": ApplicationAuthMetadata(base_config.get_blueprint_view("sa_auth"))}
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
