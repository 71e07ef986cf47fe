"""The groups a user sees, as SQL: a condition on ``savings_group``'s columns or a
subquery of its ids, never a list with one bound parameter per visible group.

A country programme has ~50,000 groups: an ``IN (:id1, …, :idN)`` of every one a
country manager sees passes SQLite's 32,766 bound parameters and nears PostgreSQL's
65,535, and is slow to build, send and plan. The lists take their scope as
:class:`~kuza.domain.access.GroupFilter` (from :func:`~kuza.domain.access.group_filter`)
and the database resolves it (``loan.group_id IN (SELECT id FROM savings_group WHERE
programme_id = :p AND agent_id = :a)``). An explicit set of ids is still accepted for a
few known groups (a test, one branch's handful).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select

from kuza.adapters.db.schema import savings_group
from kuza.domain.access import GroupFilter

# The groups a list is limited to: a filter the database resolves, a few explicit ids,
# or None for every group.
Groups = GroupFilter | Collection[int] | None


def filter_scope(
    query: Select[Any], f: GroupFilter, programme_id: Any, branch_id: Any, agent_id: Any
) -> Select[Any]:
    """``query`` limited to the rows whose programme, branch and agent columns are in the
    scope ``f`` (a group's, or a field agent's own)."""
    if f.nothing:
        return query.where(false())
    if f.programme_id is not None:
        query = query.where(programme_id == f.programme_id)
    if f.branch_id is not None:
        query = query.where(branch_id == f.branch_id)
    if f.agent_id is not None:
        query = query.where(agent_id == f.agent_id)
    return query


def filter_groups(query: Select[Any], f: GroupFilter) -> Select[Any]:
    """``query`` (which reads ``savings_group``) limited to the groups ``f`` admits."""
    g = savings_group.c
    return filter_scope(query, f, g.programme_id, g.branch_id, g.agent_id)


def group_ids(f: GroupFilter) -> Select[Any]:
    """``SELECT savings_group.id`` of the groups ``f`` admits, to use as a subquery."""
    return filter_groups(select(savings_group.c.id), f)


def in_groups(column: Any, only: Groups) -> ColumnElement[bool] | None:
    """``column`` (a group id) among the groups of ``only``; None when ``only`` is every
    group (nothing to add to the query)."""
    if only is None:
        return None
    if isinstance(only, GroupFilter):
        if only == GroupFilter():
            return None
        return column.in_(group_ids(only))  # type: ignore[no-any-return]
    return column.in_(list(only))  # type: ignore[no-any-return]
