"""Forming and running a group from the pages: a new group, enrol, leave, elect, move a
meeting, change the status. Each refusal keeps what was typed, names the input, changes
nothing, and reads in French for a French account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import (
    audit_log,
    meeting_move,
    member,
    membership,
    officer_term,
    savings_group,
)
from kuza.services import meetings, users
from tests.factories import FORMED, sheet
from tests.web.conftest import PASSWORD, TODAY, Org, csrf_of, login

pytestmark = pytest.mark.storage


def _count(db: Database, table: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _post(client: TestClient, path: str, **data: str) -> httpx.Response:
    token = csrf_of(client.get("/groups").text)
    return client.post(path, data={"csrf_token": token, **data})


def _group(org: Org, **changes: str) -> dict[str, str]:
    return {
        "name": "Amani",
        "village": "Gatundu",
        "agent_id": str(org.agent_id),
        "formed_on": TODAY.isoformat(),
        "frequency": "weekly",
        "first_meeting_on": (TODAY + timedelta(days=7)).isoformat(),
        "compulsory_saving": "50",
        "share_out_rule": "pro_rata",
        "share_value": "",
        **changes,
    }


def _row(db: Database, name: str) -> Any:
    with db.read() as conn:
        return conn.execute(select(savings_group).where(savings_group.c.name == name)).first()


def test_an_agent_forms_a_group_she_runs(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    page = client.get("/groups/new")
    assert page.status_code == 200
    assert "Agent A" in page.text and "Agent B" not in page.text  # only herself
    r = _post(client, "/groups", **_group(org))
    assert r.status_code == 303
    row = _row(db, "Amani")
    assert row.status == "forming" and row.agent_id == org.agent_id
    assert row.branch_id == org.world.branch_id
    assert row.compulsory_saving_minor == 5000
    page = client.get(r.headers["location"])
    assert "Amani" in page.text and "forming" in page.text
    with db.read() as conn:
        who = conn.execute(
            select(audit_log.c.actor).where(
                audit_log.c.action == "create", audit_log.c.object_kind == "group"
            )
        ).all()
    assert ("agent",) in who


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"name": " "}, "name", "needs a name"),
        ({"agent_id": "x"}, "agent_id", "choose one from the list"),
        ({"formed_on": "yesterday"}, "formed_on", "2026-03-02"),
        ({"formed_on": "2026-02-03"}, "formed_on", "after today"),
        ({"frequency": "daily"}, "frequency", "choose one from the list"),
        ({"first_meeting_on": "2026-01-01"}, "first_meeting_on", "before the group formed"),
        ({"compulsory_saving": "-5"}, "compulsory_saving", "must not be negative"),
        ({"compulsory_saving": "abc"}, "compulsory_saving", "not a number"),
        ({"compulsory_saving": "1" * 20}, "compulsory_saving", "too large"),
        ({"share_out_rule": "shares"}, "share_value", "needs share_value"),
    ],
)
def test_a_bad_new_group_is_refused_as_typed(
    client: TestClient, org: Org, db: Database, changes: dict[str, str], field: str, says: str
) -> None:
    login(client, "branch")
    before = _count(db, savings_group)
    r = _post(client, "/groups", **_group(org, **changes))
    assert r.status_code == 422
    text = r.text
    assert says in text
    assert f'id="group-{field}-error"' in text
    assert 'value="Gatundu"' in text  # what was typed stays
    assert _count(db, savings_group) == before


def test_whom_a_new_group_may_be_given_to(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    r = _post(client, "/groups", **_group(org, agent_id=str(org.other_agent_id)))
    assert r.status_code == 422
    assert "choose the group&#39;s field agent from the list" in r.text
    assert _row(db, "Amani") is None
    client.cookies.clear()
    login(client, "branch")  # any agent of her branch
    r = _post(client, "/groups", **_group(org, agent_id=str(org.other_agent_id)))
    assert r.status_code == 303
    assert _row(db, "Amani").agent_id == org.other_agent_id


@pytest.mark.parametrize(("username", "status"), [("manager", 403), ("donor", 404)])
def test_who_may_not_form_groups(
    client: TestClient, org: Org, db: Database, username: str, status: int
) -> None:
    login(client, username)
    assert client.get("/groups/new").status_code == status
    before = _count(db, savings_group)
    token = csrf_of(client.get("/login").text)
    r = client.post("/groups", data={"csrf_token": token, **_group(org)})
    assert r.status_code == status
    assert _count(db, savings_group) == before


def _enrol(**changes: str) -> dict[str, str]:
    return {
        "name": "Wanjiru",
        "sex": "F",
        "birth_year": "1990",
        "household_size": "5",
        "literate": "yes",
        "phone": "",
        "consent_on": TODAY.isoformat(),
        "joined_on": TODAY.isoformat(),
        **changes,
    }


def test_enrol_a_member(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    g = org.world.group_id
    r = _post(client, f"/groups/{g}/members", **_enrol())
    assert r.status_code == 303
    page = client.get(f"/groups/{g}")
    assert "Wanjiru is a member now." in page.text
    with db.read() as conn:
        m = conn.execute(select(member).where(member.c.name == "Wanjiru")).one()
        joined = conn.execute(
            select(membership.c.group_id, membership.c.joined_on).where(
                membership.c.member_id == m.id
            )
        ).one()
    assert (m.sex, m.birth_year, m.household_size, m.literate) == ("F", 1990, 5, True)
    assert tuple(joined) == (g, TODAY)


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"name": ""}, "name", "name is required"),
        ({"sex": "Q"}, "sex", "choose one from the list"),
        ({"household_size": "0"}, "household_size", "from 1 to 99"),
        ({"birth_year": "1850"}, "birth_year", "from 1900 to 2026"),
        ({"joined_on": "2025-12-01"}, "joined_on", "before the group formed"),
        ({"joined_on": "2026-03-01"}, "joined_on", "after today"),
        ({"phone": "9" * 41}, "phone", "longer than 40"),
    ],
)
def test_a_bad_enrolment_is_refused_as_typed(
    client: TestClient, org: Org, db: Database, changes: dict[str, str], field: str, says: str
) -> None:
    login(client, "agent")
    before = _count(db, member)
    r = _post(client, f"/groups/{org.world.group_id}/members", **_enrol(**changes))
    assert r.status_code == 422
    assert says in r.text
    assert f'id="enrol-{field}-error"' in r.text
    assert 'value="1990"' in r.text or field == "birth_year"
    assert _count(db, member) == before


def test_a_member_leaves_with_her_savings(client: TestClient, org: Org, db: Database) -> None:
    w = org.world
    meetings.post_meeting(db, sheet(w, FORMED), "agent", TODAY)  # 100 saved each
    login(client, "agent")
    leaver = w.member_ids[0]
    r = _post(
        client,
        f"/groups/{w.group_id}/departures",
        member_id=str(leaver),
        left_on=TODAY.isoformat(),
        reason="moved to town",
    )
    assert r.status_code == 303
    assert "savings paid back: 100.00 KES." in client.get(f"/groups/{w.group_id}").text
    with db.read() as conn:
        left = conn.execute(
            select(membership.c.left_on, membership.c.payout_entry_id).where(
                membership.c.member_id == leaver
            )
        ).one()
    assert left.left_on == TODAY and left.payout_entry_id is not None
    # she is gone: a second time is refused, nothing booked
    r = _post(
        client,
        f"/groups/{w.group_id}/departures",
        member_id=str(leaver),
        left_on=TODAY.isoformat(),
        reason="again",
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"member_id": ""}, "member_id", "choose one from the list"),
        ({"reason": ""}, "reason", "say why she leaves"),
        ({"left_on": "2026-03-01"}, "left_on", "after today"),
        ({"left_on": "2026-01-01"}, "left_on", "she cannot leave before"),
    ],
)
def test_a_bad_leaving_is_refused_as_typed(
    client: TestClient, org: Org, db: Database, changes: dict[str, str], field: str, says: str
) -> None:
    login(client, "agent")
    data = {
        "member_id": str(org.world.member_ids[0]),
        "left_on": TODAY.isoformat(),
        "reason": "moved",
        **changes,
    }
    r = _post(client, f"/groups/{org.world.group_id}/departures", **data)
    assert r.status_code == 422
    assert says in r.text
    assert f'id="leave-{field}-error"' in r.text
    assert field == "reason" or 'value="moved"' in r.text  # what was typed stays
    with db.read() as conn:
        gone = conn.execute(select(membership.c.id).where(membership.c.left_on.is_not(None))).all()
    assert gone == []


def test_elect_an_officer(client: TestClient, org: Org, db: Database) -> None:
    w = org.world
    login(client, "branch")
    data = {"member_id": str(w.member_ids[1]), "role": "treasurer", "started_on": "2026-01-12"}
    r = _post(client, f"/groups/{w.group_id}/officers", **data)
    assert r.status_code == 303
    data = {"member_id": str(w.member_ids[2]), "role": "treasurer", "started_on": "2026-02-02"}
    assert _post(client, f"/groups/{w.group_id}/officers", **data).status_code == 303
    with db.read() as conn:
        terms = conn.execute(
            select(officer_term.c.member_id, officer_term.c.ended_on).order_by(officer_term.c.id)
        ).all()
    assert [tuple(t) for t in terms] == [(w.member_ids[1], TODAY), (w.member_ids[2], None)]


def test_bad_elections_are_refused(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    g = org.world.group_id
    outsider = {"member_id": "999", "role": "president", "started_on": TODAY.isoformat()}
    r = _post(client, f"/groups/{g}/officers", **outsider)
    assert r.status_code == 422 and "is not in the group" in r.text
    bad_role = {"member_id": str(org.world.member_ids[0]), "role": "king", "started_on": "x"}
    r = _post(client, f"/groups/{g}/officers", **bad_role)
    assert r.status_code == 422 and 'id="elect-role-error"' in r.text
    assert 'value="x"' in r.text
    assert _count(db, officer_term) == 0


def test_move_the_next_meeting(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    g = org.world.group_id
    page = client.get(f"/groups/{g}")
    assert 'value="2026-02-09"' in page.text  # the next meeting is offered
    data = {"nominal_on": "2026-02-09", "moved_to": "2026-02-11", "reason": "public holiday"}
    assert _post(client, f"/groups/{g}/meeting-moves", **data).status_code == 303
    r = _post(client, f"/groups/{g}/meeting-moves", **data)  # twice: refused, not a 500
    assert r.status_code == 422 and "already moved" in r.text
    bad = {"nominal_on": "2026-02-10", "moved_to": "2026-02-11", "reason": "x"}
    r = _post(client, f"/groups/{g}/meeting-moves", **bad)
    assert r.status_code == 422 and 'id="move-nominal_on-error"' in r.text
    far = {"nominal_on": "2026-02-16", "moved_to": "2026-03-16", "reason": "x"}
    r = _post(client, f"/groups/{g}/meeting-moves", **far)
    assert r.status_code == 422 and "at most 14 days" in r.text
    assert _count(db, meeting_move) == 1


def test_the_branch_manager_approves_a_forming_group(
    client: TestClient, org: Org, db: Database
) -> None:
    login(client, "agent")
    _post(client, "/groups", **_group(org))
    gid = _row(db, "Amani").id
    assert "Change the status" not in client.get(f"/groups/{gid}").text
    r = _post(client, f"/groups/{gid}/status", status="active", on=TODAY.isoformat(), note="")
    assert r.status_code == 403
    assert _row(db, "Amani").status == "forming"
    client.cookies.clear()
    login(client, "branch")
    assert "Approve the forming group" in client.get(f"/groups/{gid}").text
    bad = _post(client, f"/groups/{gid}/status", status="graduated", on=TODAY.isoformat())
    assert bad.status_code == 422 and "cannot become graduated" in bad.text
    ok = _post(client, f"/groups/{gid}/status", status="active", on=TODAY.isoformat(), note="ok")
    assert ok.status_code == 303
    assert _row(db, "Amani").status == "active"


def test_refusals_read_in_french(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    me = users.authenticate(db, "agent", PASSWORD)
    users.set_locale(db, me.user_id, "fr")
    page = client.get(f"/groups/{org.world.group_id}")
    assert "Inscrire un membre" in page.text
    r = _post(client, f"/groups/{org.world.group_id}/members", **_enrol(name=""))
    assert r.status_code == 422
    assert "le nom est requis" in r.text
    r = _post(client, "/groups", **_group(org, formed_on="2026-03-01"))
    assert "après aujourd" in r.text


def test_another_agents_group_is_absent(client: TestClient, org: Org, db: Database) -> None:
    login(client, "agent")
    g = org.other_group_id
    before = (_count(db, member), _count(db, officer_term), _count(db, meeting_move))
    for path, data in (
        ("members", _enrol()),
        ("departures", {"member_id": "1", "left_on": TODAY.isoformat(), "reason": "x"}),
        ("officers", {"member_id": "1", "role": "president", "started_on": TODAY.isoformat()}),
        ("meeting-moves", {"nominal_on": "2026-02-09", "moved_to": "2026-02-10", "reason": "x"}),
    ):
        assert _post(client, f"/groups/{g}/{path}", **data).status_code == 404, path
    client.cookies.clear()
    login(client, "branch")  # her branch, but another agent's group: hers to run
    ok = _post(client, f"/groups/{g}/members", **_enrol())
    assert ok.status_code == 303
    assert _count(db, member) == before[0] + 1
    assert (_count(db, officer_term), _count(db, meeting_move)) == before[1:]
