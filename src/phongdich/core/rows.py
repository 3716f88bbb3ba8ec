"""Read and write model rows through SQL built once per model, for hot paths.

``Model.objects.create()`` and ``filter()`` compile the same SQL again for every call; on the
check-in path that compilation cost more than running the statements. Here the SQL is built
once (inserts through Django's own compiler) and each call only prepares the values, exactly as
the ORM does: defaults from the model, ``auto_now``/``auto_now_add`` through ``pre_save``,
adaptation through ``get_db_prep_save``, and the backend's converters on the way back. A model
with ``pre_save``/``post_save`` receivers is saved through ``save()``, so signals are never
skipped.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.dispatch.dispatcher import _make_id

M = TypeVar("M", bound=Model)

# Built once per (kind, model(s), database alias); a race builds the same text twice, harmlessly.
_plans: dict[tuple, tuple] = {}


def _insert_fields(model: type[Model]) -> list:
    meta = model._meta
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


def _values(obj: Model, fields: list, connection) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _has_receivers(*models: type[Model]) -> bool:
    """Whether a receiver listens to saves of these models themselves. Receivers connected for
    every sender (Wagtail's reference index) are left out: they act on their own models only,
    and counting them sent every check-in down the two-statement path, outside a transaction
    on PostgreSQL."""
    keys = {_make_id(m) for m in models}
    return any(r[0][1] in keys for s in (pre_save, post_save) for r in s.receivers)


def _saved(obj: Model, using: str) -> None:
    obj._state.adding = False
    obj._state.db = using


def _insert_plan(model: type[Model], obj: Model, connection) -> tuple[str, list, list]:
    key = ("insert", model, connection.alias)
    if key not in _plans:
        fields = _insert_fields(model)
        returning = list(model._meta.db_returning_fields)
        query = InsertQuery(model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = returning
        [(sql, _params)] = compiler.as_sql()
        _plans[key] = (sql, fields, returning)
    return _plans[key]


def insert_one(obj: M, using: str = "default") -> M:
    """INSERT ``obj`` (a new, unsaved instance) and set its primary key; returns ``obj``."""
    model = type(obj)
    if _has_receivers(model):
        obj.save(force_insert=True, using=using)
        return obj
    connection = connections[using]
    sql, fields, returning = _insert_plan(model, obj, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(obj, fields, connection))
        row = cursor.fetchone() if returning else None
    for field, value in zip(returning, row or (), strict=False):
        setattr(obj, field.attname, value)
    _saved(obj, using)
    return obj


def _pair_plan(parent: Model, child: Model, fk: str, connection) -> tuple:
    """PostgreSQL: ``WITH p AS (INSERT parent … RETURNING pk) INSERT child … SELECT … FROM p``."""
    key = ("pair", type(parent), type(child), fk, connection.alias)
    if key not in _plans:
        qn = connection.ops.quote_name
        parent_sql, parent_fields, [pk] = _insert_plan(type(parent), parent, connection)
        child_meta = child._meta
        fk_field = child_meta.get_field(fk)
        child_fields = _insert_fields(type(child))
        # The parent's RETURNING names its primary key column in p.
        selects = [f"p.{qn(pk.column)}" if f is fk_field else "%s" for f in child_fields]
        returning = list(child_meta.db_returning_fields)
        # Only quoted model names and placeholders go into the text; every value is a parameter.
        sql = (
            f"WITH p AS ({parent_sql}) "  # noqa: S608
            f"INSERT INTO {qn(child_meta.db_table)} "
            f"({', '.join(qn(f.column) for f in child_fields)}) "
            f"SELECT {', '.join(selects)} FROM p "
            f"RETURNING {', '.join(qn(f.column) for f in returning)}, {qn(fk_field.column)}"
        )
        child_values = [f for f in child_fields if f is not fk_field]
        _plans[key] = (sql, parent_fields, child_values, pk, returning)
    return _plans[key]


def insert_with_parent(parent: Model, child: Model, fk: str, using: str = "default") -> None:
    """INSERT a new ``parent`` and a new ``child`` whose foreign key ``fk`` points to it.

    On PostgreSQL this is one statement: atomic by itself and one round trip instead of four with
    BEGIN and COMMIT. Elsewhere it is two inserts, and the caller's transaction makes them atomic.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or _has_receivers(type(parent), type(child)):
        insert_one(parent, using)
        setattr(child, fk, parent)
        insert_one(child, using)
        return
    sql, parent_fields, child_fields, pk, returning = _pair_plan(parent, child, fk, connection)
    params = _values(parent, parent_fields, connection) + _values(child, child_fields, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        *child_row, parent_id = cursor.fetchone()
    setattr(parent, pk.attname, parent_id)
    setattr(child, fk, parent)
    for field, value in zip(returning, child_row, strict=True):
        setattr(child, field.attname, value)
    _saved(parent, using)
    _saved(child, using)


def _select_plan(model: type[Model], connection) -> tuple[str, list[str], list]:
    key = ("select", model, connection.alias)
    if key not in _plans:
        fields = model._meta.concrete_fields
        table = model._meta.db_table
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        converters = [
            (i, field, convs)
            for i, field in enumerate(fields)
            if (convs := connection.ops.get_db_converters(field.get_col(table)))
        ]
        sql = f"SELECT {columns} FROM {qn(table)} WHERE "  # noqa: S608
        _plans[key] = (sql, [f.attname for f in fields], converters)
    return _plans[key]


def select_rows(
    model: type[M], where: str, params: list, *, limit: int, using: str = "default"
) -> list[M]:
    """Instances of ``model`` whose row matches ``where`` (SQL over its columns, values as
    ``%s`` parameters), at most ``limit`` of them, loaded as the ORM would load them."""
    connection = connections[using]
    sql, names, converters = _select_plan(model, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql}{where} LIMIT {int(limit)}", params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row)
        for i, field, convs in converters:
            for convert in convs:
                values[i] = convert(values[i], field, connection)
        found.append(model.from_db(using, names, values))
    return found


def select_one(model: type[M], where: str, params: list, *, using: str = "default") -> M | None:
    """The first instance of ``model`` whose row matches ``where`` (as ``select_rows``), or None."""
    found = select_rows(model, where, params, limit=1, using=using)
    return found[0] if found else None
