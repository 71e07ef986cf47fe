"""Jobs, trainings, household visits and costs added set-based to a loaded loan book
(PostgreSQL), so the dashboard's figures have rows to count at scale: the loan books of
``kuza synth --loans`` have none. Not the services' path (no audit, no checks): bench
data only, written with ``INSERT … SELECT`` in one transaction per table, deterministic
(everything derives from ids).

Per programme: an enterprise for every third member (a tenth closed, four value chains
and none), two jobs each, a 'created' event per job (full or part time), 'grown' for a
quarter and 'lost' for a ninth of them, four fifths verified (some verifications before
the event: not counted); a check of every other enterprise; four modules taught to every
group (one session each, three quarters present); three scored visits of every other
member; costs per branch, month and stage.

``python -m bench.impact_rows DATABASE`` adds them to the kept book ``DATABASE``
(once: a programme that has enterprises is left alone).
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import text

from bench.common import PG_ADMIN_URL
from kuza.adapters.db.engine import Database

STEPS = {
    "value_chain": """
        INSERT INTO value_chain (programme_id, code, name)
        SELECT :p, 'vc' || n, 'Chain ' || n FROM generate_series(1, 4) n""",
    "enterprise": """
        INSERT INTO enterprise (programme_id, branch_id, name, sector, value_chain_id,
            started_on, location, status, registered, household_size)
        SELECT :p, g.branch_id, 'E' || m.id, 'trade',
            (SELECT min(v.id) + (m.id % 5) FROM value_chain v WHERE v.programme_id = :p
             HAVING (m.id % 5) < 4),
            g.formed_on + (m.id % 90), '', CASE WHEN m.id % 10 = 0 THEN 'closed'
            ELSE 'active' END, false, 1 + m.id % 8
        FROM member m JOIN membership ms ON ms.member_id = m.id
        JOIN savings_group g ON g.id = ms.group_id
        WHERE m.programme_id = :p AND m.id % 3 = 0""",
    "job": """
        INSERT INTO job (programme_id, enterprise_id, role, member_id, worker_name,
            worker_sex)
        SELECT :p, e.id, CASE WHEN n = 1 THEN 'owner' ELSE 'employee' END, NULL, 'W',
            CASE WHEN (e.id + n) % 3 = 0 THEN 'M' ELSE 'F' END
        FROM enterprise e, generate_series(1, 2) n WHERE e.programme_id = :p""",
    "job_event": """
        INSERT INTO job_event (programme_id, job_id, kind, on_date, fte_change, note,
            recorded_by)
        SELECT :p, j.id, k.kind, e.started_on + (j.id % 40) + k.later,
            CASE WHEN k.kind = 'lost' THEN -0.5 WHEN k.kind = 'grown' THEN 0.5
                 WHEN j.id % 2 = 0 THEN 1.0 ELSE 0.5 END, '', 'bench'
        FROM job j JOIN enterprise e ON e.id = j.enterprise_id
        JOIN (VALUES ('created', 0, 1), ('grown', 30, 4), ('lost', 60, 9))
            AS k(kind, later, every) ON j.id % k.every = 0
        WHERE j.programme_id = :p""",
    "job_verification": """
        INSERT INTO job_verification (programme_id, event_id, verified_by, verified_on,
            method, note)
        SELECT :p, id, 'bench', on_date + (id % 12) - 2, 'phone', ''
        FROM job_event WHERE programme_id = :p AND id % 5 <> 0""",
    "enterprise_check": """
        INSERT INTO enterprise_check (programme_id, enterprise_id, checked_on, checked_by,
            currency, revenue_minor, costs_minor, profit_band, employees, household_size)
        SELECT :p, id, started_on + 45, 'bench', 'KES', 100000, 60000, 'low', 1,
            2 + id % 7
        FROM enterprise WHERE programme_id = :p AND id % 2 = 0""",
    "training_module": """
        INSERT INTO training_module (programme_id, code, name, category, expected_hours,
            material_format)
        SELECT :p, 'module-' || n, 'Module ' || n, 'business', 2 + n * 0.5, 'text'
        FROM generate_series(1, 4) n""",
    "training_session": """
        INSERT INTO training_session (programme_id, group_id, module_id, trainer, held_on,
            hours)
        SELECT :p, g.id, t.id, 'Trainer', g.formed_on + 20 * (t.id % 4 + 1), 2.5
        FROM savings_group g JOIN training_module t ON t.programme_id = g.programme_id
        WHERE g.programme_id = :p""",
    "training_attendance": """
        INSERT INTO training_attendance (programme_id, session_id, member_id, present)
        SELECT :p, s.id, ms.member_id, (s.id + ms.member_id) % 4 <> 0
        FROM training_session s JOIN membership ms ON ms.group_id = s.group_id
        WHERE s.programme_id = :p""",
    "scorecard": """
        INSERT INTO scorecard (programme_id, code, definition, loaded_on, loaded_by)
        VALUES (:p, 'bench', '{}', '2025-01-01', 'bench')""",
    "household_visit": """
        INSERT INTO household_visit (programme_id, member_id, group_id, agent_id,
            scorecard_id, visited_on, visited_by, answers, score, likelihood,
            household_size, note)
        SELECT :p, ms.member_id, ms.group_id, NULL,
            (SELECT id FROM scorecard WHERE programme_id = :p AND code = 'bench'),
            g.formed_on + 60 * n, 'bench', '{}', (ms.member_id * 7 + n * 13) % 100, 1.0,
            4, ''
        FROM membership ms JOIN savings_group g ON g.id = ms.group_id,
            generate_series(0, 2) n
        WHERE g.programme_id = :p AND ms.member_id % 2 = 0""",
    "cost_entry": """
        INSERT INTO cost_entry (programme_id, reference, stage, branch_id, category,
            period_start, period_end, amount_minor, currency, memo, entry_id, recorded_by)
        SELECT :p, 'B-' || b.id || '-' || m || '-' || s, s, b.id, 'staff',
            (date '2025-01-01' + make_interval(months => m - 1))::date,
            (date '2025-01-01' + make_interval(months => m))::date - 1, 100000 + b.id * 7 + s,
            'KES', '',
            (SELECT min(id) FROM journal_entry WHERE programme_id = :p), 'bench'
        FROM branch b, generate_series(1, 6) m, generate_series(1, 4) s
        WHERE b.programme_id = :p""",
}


def add_impact_rows(db: Database, pid: int) -> dict[str, float]:
    """Each step's seconds; nothing when the programme already has enterprises."""
    seconds: dict[str, float] = {}
    with db.engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM enterprise WHERE programme_id = :p"), {"p": pid}
        ).scalar_one()
    if found:
        return seconds
    for table, sql in STEPS.items():
        started = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(text(sql), {"p": pid})
        seconds[table] = time.perf_counter() - started
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return seconds


if __name__ == "__main__":
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{sys.argv[1]}"
    database = Database(url)
    with database.engine.connect() as c:
        programme = c.execute(text("SELECT min(id) FROM programme")).scalar_one()
    for name, took in add_impact_rows(database, programme).items():
        print(f"{name}: {took:.1f} s", flush=True)
    database.dispose()
