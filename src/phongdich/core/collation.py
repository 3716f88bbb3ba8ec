"""Vietnamese alphabetical order in the database (lib.text.vi_sort_key says what it is).

PostgreSQL has it as the ICU collation ``vi-VN-x-icu``; SQLite learns it as ``vi`` on each new
connection (``install_sqlite_collation``), backed by the same sort key. ``vi_order("name")`` is
an expression to put in ``order_by`` on either."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func

from phongdich.lib.text import vi_compare

SQLITE_COLLATION = "vi"
POSTGRES_COLLATION = "vi-VN-x-icu"


class ViCollate(Func):
    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template=f"%(expressions)s COLLATE {SQLITE_COLLATION}"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template=f'%(expressions)s COLLATE "{POSTGRES_COLLATION}"'
        )


def vi_order(field: str, descending: bool = False) -> Any:
    """``order_by(vi_order("person__full_name"), "pk")``: Vietnamese alphabetical order."""
    expression = ViCollate(F(field))
    return expression.desc() if descending else expression.asc()


def install_sqlite_collation(connection: Any) -> None:
    """Teach a new sqlite3 connection the ``vi`` collation."""
    connection.create_collation(SQLITE_COLLATION, vi_compare)
