"""Insert a new model row through SQL compiled once per model, for hot paths.

``Model.objects.create()`` compiles the same INSERT again for every row; on the check-in path
that compilation cost more than running the statement. ``insert_one`` compiles it through
Django's own compiler the first time and then only prepares the values, exactly as
``save()`` does: defaults from the model, ``auto_now``/``auto_now_add`` through ``pre_save``,
database adaptation through ``get_db_prep_save``. A model with ``pre_save``/``post_save``
receivers goes through ``save()`` instead, so signals are never skipped.
"""

from __future__ import annotations

import threading
from typing import TypeVar

from django.db import connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)

_plans: dict[tuple, tuple[str, list, list]] = {}
_lock = threading.Lock()


def _plan(model: type[Model], obj: Model, connection) -> tuple[str, list, list]:
    key = (model, connection.alias, connection.vendor)
    plan = _plans.get(key)
    if plan is None:
        meta = model._meta
        fields = [
            f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
        ]
        returning = list(meta.db_returning_fields)
        query = InsertQuery(model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = returning
        [(sql, _params)] = compiler.as_sql()
        plan = (sql, fields, returning)
        with _lock:
            _plans[key] = plan
    return plan


def insert_one(obj: M, using: str = "default") -> M:
    """INSERT ``obj`` (a new, unsaved instance) and set its primary key; returns ``obj``."""
    model = type(obj)
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        obj.save(force_insert=True, using=using)
        return obj
    connection = connections[using]
    sql, fields, returning = _plan(model, obj, connection)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone() if returning else None
    for field, value in zip(returning, row or (), strict=False):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
    return obj


def insert_with_parent(parent: Model, child: Model, fk: str, using: str = "default") -> None:
    """INSERT a new ``parent`` and a new ``child`` whose foreign key ``fk`` points to it.

    On PostgreSQL this is one statement (``WITH p AS (INSERT … RETURNING id) INSERT … SELECT``):
    atomic by itself and one round trip instead of four with BEGIN and COMMIT. Elsewhere it is two
    inserts, and the caller's transaction makes them atomic.
    """
    connection = connections[using]
    plain = not any(
        signal.has_listeners(type(obj))
        for signal in (pre_save, post_save)
        for obj in (parent, child)
    )
    if connection.vendor != "postgresql" or not plain:
        insert_one(parent, using)
        setattr(child, fk, parent)
        insert_one(child, using)
        return
    qn = connection.ops.quote_name
    parent_sql, parent_fields, parent_returning = _plan(type(parent), parent, connection)
    child_meta = child._meta
    fk_field = child_meta.get_field(fk)
    child_fields = [
        f
        for f in child_meta.local_concrete_fields
        if not f.generated and f is not child_meta.auto_field
    ]
    [pk] = parent_returning  # the parent's RETURNING names its primary key column in p
    selects = [f"p.{qn(pk.column)}" if f is fk_field else "%s" for f in child_fields]
    # Only quoted model names and placeholders go into the text; every value is a parameter.
    sql = (
        f"WITH p AS ({parent_sql}) "  # noqa: S608
        f"INSERT INTO {qn(child_meta.db_table)} ({', '.join(qn(f.column) for f in child_fields)}) "
        f"SELECT {', '.join(selects)} FROM p "
        f"RETURNING {', '.join(qn(f.column) for f in child_meta.db_returning_fields)}, "
        f"{qn(fk_field.column)}"
    )
    params = [f.get_db_prep_save(f.pre_save(parent, True), connection) for f in parent_fields]
    params += [
        f.get_db_prep_save(f.pre_save(child, True), connection)
        for f in child_fields
        if f is not fk_field
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        *child_values, parent_id = cursor.fetchone()
    setattr(parent, pk.attname, parent_id)
    for obj in (parent, child):
        obj._state.adding = False
        obj._state.db = using
    setattr(child, fk, parent)
    for field, value in zip(child_meta.db_returning_fields, child_values, strict=True):
        setattr(child, field.attname, value)
