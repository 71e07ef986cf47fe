"""Training and enterprise pages on the hand-made impact data set: who sees them, a
session recorded with its attendance, a job recorded and verified, bad input named."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import enterprise, job, job_event, job_verification, membership
from kuza.services import training
from tests.web.conftest import TODAY, csrf_of, login
from tests.web.test_dashboard import Impact, make_impact

pytestmark = pytest.mark.storage


@pytest.fixture
def impact(db: Database) -> Impact:
    return make_impact(db)


def _ids(db: Database) -> tuple[int, list[int], int]:
    with db.read() as conn:
        gid = conn.execute(select(membership.c.group_id).limit(1)).scalar_one()
        mids = list(
            conn.execute(
                select(membership.c.member_id).where(membership.c.left_on.is_(None))
            ).scalars()
        )
        eid = conn.execute(select(enterprise.c.id).order_by(enterprise.c.id)).scalars().first()
    assert eid is not None
    return gid, sorted(mids), eid


def test_catalogue_sessions_and_member_record(
    client: TestClient, impact: Impact, db: Database
) -> None:
    gid, mids, _eid = _ids(db)
    login(client, "branch")
    page = client.get("/training")
    assert page.status_code == 200 and "credit-management" in page.text
    page = client.get(f"/training/groups/{gid}")
    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == len(mids)
    assert "2 of 4" in page.text  # 10 March: m0 and m3 of the four then
    data = {
        "csrf_token": csrf_of(page.text),
        "module": "credit-management",
        "trainer": "Asha",
        "held_on": "2026-02-01",  # before the group entered Stage 2
        "hours": "1",
        "present": [str(mids[0])],
    }
    bad = client.post(f"/training/groups/{gid}", data=data)
    assert bad.status_code == 422 and 'id="held_on-error"' in bad.text
    before = len(training.catalogue(db, impact.programme_id))
    r = client.post(f"/training/groups/{gid}", data={**data, "held_on": "2026-02-02"})
    assert r.status_code == 422  # the app's today is 2026-02-02; Stage 2 from 1 March
    data["held_on"] = "2026-03-17"
    r = client.post(f"/training/groups/{gid}", data=data)
    assert r.status_code == 303, r.text
    assert len(training.catalogue(db, impact.programme_id)) == before
    page = client.get(f"/training/groups/{gid}").text
    assert "1 of 5" in page
    record = client.get(f"/training/members/{mids[0]}")
    assert record.status_code == 200 and "3 of 3" in record.text


def test_enterprise_job_and_verification(client: TestClient, impact: Impact, db: Database) -> None:
    _gid, _mids, eid = _ids(db)
    login(client, "branch")
    listing = client.get("/enterprises")
    assert listing.status_code == 200 and f'href="/enterprises/{eid}"' in listing.text
    page = client.get(f"/enterprises/{eid}")
    assert page.status_code == 200
    token = csrf_of(page.text)
    bad = client.post(
        f"/enterprises/{eid}/jobs",
        data={"csrf_token": token, "role": "employee", "on": "2026-02-01", "hours_per_week": "-3",
              "worker_name": "Achieng", "worker_sex": "F"},
    )  # fmt: skip
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    r = client.post(
        f"/enterprises/{eid}/jobs",
        data={"csrf_token": token, "role": "employee", "on": "2026-02-01", "hours_per_week": "20",
              "worker_name": "Achieng", "worker_sex": "F"},
    )  # fmt: skip
    assert r.status_code == 303
    page = client.get(f"/enterprises/{eid}").text
    assert "Achieng" in page and "not verified: not counted" in page
    with db.read() as conn:
        ev = conn.execute(select(job_event.c.id).order_by(job_event.c.id.desc())).scalar()
    early = client.post(
        f"/job-events/{ev}/verification",
        data={"csrf_token": token, "verified_on": "2026-01-20", "method": "phone"},
    )
    assert early.status_code == 422  # before the event: refused, named
    assert re.search(rf'id="event-{ev}-verified_on-error"', early.text)
    assert 'value="2026-01-20"' in _field(early.text, f"event-{ev}-verified_on")
    assert '<option value="phone" selected>' in early.text
    ok = client.post(
        f"/job-events/{ev}/verification",
        data={"csrf_token": token, "verified_on": "2026-02-02", "method": "phone"},
    )
    assert ok.status_code == 303
    with db.read() as conn:
        assert (
            conn.execute(
                select(job_verification.c.method).where(job_verification.c.event_id == ev)
            ).scalar()
            == "phone"
        )


def test_donors_and_other_scopes_are_refused(
    client: TestClient, impact: Impact, db: Database
) -> None:
    gid, mids, eid = _ids(db)
    login(client, "donor")
    for path in ("/training", f"/training/groups/{gid}", f"/training/members/{mids[0]}",
                 "/enterprises", f"/enterprises/{eid}"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    client.cookies.clear()
    login(client, "agent")  # agent A runs no group of this data set
    assert client.get(f"/enterprises/{eid}").status_code == 404
    assert f"/enterprises/{eid}" not in client.get("/enterprises").text
    assert client.get(f"/training/members/{mids[0]}").status_code == 404


def _jobs_and_events(db: Database) -> tuple[int, int]:
    with db.read() as conn:
        jobs = conn.execute(select(func.count()).select_from(job)).scalar_one()
        events = conn.execute(select(func.count()).select_from(job_event)).scalar_one()
    return jobs, events


def _field(html: str, input_id: str) -> str:
    """The tag of the control with this id."""
    found = re.search(rf"<(?:input|select)[^>]*\bid=\"{input_id}\"[^>]*>", html)
    assert found, input_id
    return found.group(0)


def test_refused_job_forms_keep_what_was_typed(
    client: TestClient, impact: Impact, db: Database
) -> None:
    _gid, _mids, eid = _ids(db)
    login(client, "branch")
    page = client.get(f"/enterprises/{eid}").text
    token = csrf_of(page)
    before = _jobs_and_events(db)
    typed = {"role": "employee", "member_id": "", "worker_name": "Achieng <Otieno>",
             "worker_sex": "F", "on": "2026-02-01", "hours_per_week": "-3"}  # fmt: skip
    bad = client.post(f"/enterprises/{eid}/jobs", data={"csrf_token": token, **typed})
    assert bad.status_code == 422
    html = bad.text
    assert 'value="Achieng &lt;Otieno&gt;"' in _field(html, "new-worker")
    assert 'value="2026-02-01"' in _field(html, "new-on")
    hours = _field(html, "new-hours")
    assert 'value="-3"' in hours and 'aria-invalid="true"' in hours
    assert 'aria-describedby="new-hours_per_week-error"' in hours
    assert 'id="new-hours_per_week-error"' in html
    assert re.search(r'<option value="employee" selected>', html)
    assert re.search(r'<option value="F" selected>', html)
    assert 'aria-invalid="true"' not in _field(html, "new-worker")
    assert _jobs_and_events(db) == before

    # A role not in the list is named on the role, with the rest kept.
    bad = client.post(
        f"/enterprises/{eid}/jobs", data={"csrf_token": token, **typed, "role": "boss"}
    )
    assert bad.status_code == 422
    role = _field(bad.text, "new-role")
    assert 'aria-describedby="new-role-error"' in role and 'id="new-role-error"' in bad.text
    assert 'value="Achieng &lt;Otieno&gt;"' in _field(bad.text, "new-worker")
    assert _jobs_and_events(db) == before

    # A change of an existing job: its form opens again with the kind, day and hours.
    with db.read() as conn:
        job_id = (
            conn.execute(select(job.c.id).where(job.c.enterprise_id == eid).order_by(job.c.id))
            .scalars()
            .first()
        )
    assert job_id is not None
    change = {"csrf_token": token, "kind": "lost", "on": "2026-02-31", "hours_per_week": "12"}
    bad = client.post(f"/jobs/{job_id}/events", data=change)
    assert bad.status_code == 422
    f = f"job-{job_id}"
    day = _field(bad.text, f"{f}-on")
    assert 'value="2026-02-31"' in day and f'aria-describedby="{f}-on-error"' in day
    assert 'value="12"' in _field(bad.text, f"{f}-hours")
    assert re.search(
        rf"<details open>\s*<summary>[^<]*</summary>\s*"
        rf'<form method="post" action="/jobs/{job_id}/events"',
        bad.text,
    )
    assert '<option value="lost" selected>' in bad.text
    assert _jobs_and_events(db) == before

    # Another form of the page keeps its defaults (today, nothing typed).
    assert f'value="{TODAY.isoformat()}"' in _field(bad.text, "new-on")
    assert 'value=""' in _field(bad.text, "new-worker")
