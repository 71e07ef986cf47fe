"""Demo logins for the demo programmes. DEMO ONLY: the passwords are public (they are
printed in the README) and deliberately weak; never load the demo into a real database.

``admin``/``admin`` sees everything; per programme, ``branch.<cc>``/``branch`` manages
the first branch and ``agent.<cc>``/``agent`` is its first field agent (cc = country).
"""

from __future__ import annotations

from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import field_agent, programme, user_account
from kuza.domain.access import Role
from kuza.services import users


def _demo_accounts(db: Database) -> list[users.NewUser]:
    accounts = [users.NewUser("admin", Role.ADMIN, "admin", "Demo admin")]
    with db.read() as conn:
        first_agents = (
            select(field_agent.c.programme_id, func.min(field_agent.c.id).label("agent_id"))
            .group_by(field_agent.c.programme_id)
            .subquery()
        )
        rows = conn.execute(
            select(programme.c.id, programme.c.country, field_agent.c.id, field_agent.c.branch_id)
            .join(first_agents, first_agents.c.programme_id == programme.c.id)
            .join(field_agent, field_agent.c.id == first_agents.c.agent_id)
            .order_by(programme.c.id)
        ).all()
    for pid, country, agent_id, branch_id in rows:
        cc = country.lower()
        accounts += [
            users.NewUser(
                f"branch.{cc}",
                Role.BRANCH_MANAGER,
                "branch",
                f"Branch manager {country}",
                programme_id=pid,
                branch_id=branch_id,
            ),
            users.NewUser(
                f"agent.{cc}",
                Role.FIELD_AGENT,
                "agent",
                f"Field agent {country}",
                programme_id=pid,
                agent_id=agent_id,
            ),
        ]
    return accounts


def create_demo_users(db: Database) -> int:
    """Create the demo logins that do not exist yet; returns how many were created."""
    with db.read() as conn:
        existing = set(conn.execute(select(user_account.c.username)).scalars())
    created = 0
    for new in _demo_accounts(db):
        if new.username not in existing:
            users.create_user(db, new, actor="demo", weak_password_ok=True)
            created += 1
    return created
