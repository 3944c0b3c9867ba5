"""Alembic environment: always runs on the connection the store hands over, inside the
one transaction the store began (store.upgrade), so a migration is all or nothing."""
from alembic import context

from branchdesk.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    transactional_ddl=True,  # SQLite's DDL is transactional once the driver stops committing for it
)
with context.begin_transaction():  # the store's transaction is already open: nothing more is begun
    context.run_migrations()
