"""Alembic environment: online migrations only, on an engine built like the application's."""

from alembic import context

from tasktracker.sqla.engine import create_engine_for
from tasktracker.sqla.models import Base, include_in_comparison

engine = create_engine_for(context.config.attributes["database_url"])
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_in_comparison(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
