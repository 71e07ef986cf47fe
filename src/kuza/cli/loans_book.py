"""``kuza loan apply|approve|reject|disburse|repay|show|arrears|product-add|-off|-on|fund`` and
``kuza close-day``: the loan book on the database (the calculators stay in ``loan``;
withdrawal, reschedule, write-off and the other after-care commands in
``loans_servicing``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from kuza.adapters.db.engine import Database
from kuza.adapters.db.schema import loan, loan_instalment
from kuza.cli import loans_servicing
from kuza.cli.accounts import Account, loan_checker
from kuza.cli.common import DateOpt, console, domain_errors, parse_day, today_or
from kuza.domain.errors import NotFound
from kuza.domain.money import Money
from kuza.reports.arrears import arrears_list
from kuza.reports.dashboard_snapshot import write_snapshots
from kuza.services import books
from kuza.services.loans import applications, disbursement, products, repayments

Actor = Annotated[str, typer.Option(help="Who records it.")]
On = Annotated[str | None, typer.Option(help="Date (default today).")]


def product_add(programme_id: int, file: Path, actor: Actor = "cli", today: DateOpt = None) -> None:
    """Add a loan product from a JSON file (see docs/credit.md)."""
    with domain_errors():
        pid = products.create_product(Database(), programme_id, json.loads(file.read_text()), actor)
    console.print(f"loan product {pid} created")


def product_off(programme_id: int, product_id: int, actor: Actor = "cli") -> None:
    """Switch a loan product off: no new application or approval with it; loans already
    made with it carry on."""
    with domain_errors():
        products.set_active(Database(), programme_id, product_id, False, actor)
    console.print(f"loan product {product_id} switched off")


def product_on(programme_id: int, product_id: int, actor: Actor = "cli") -> None:
    """Switch a loan product on again."""
    with domain_errors():
        products.set_active(Database(), programme_id, product_id, True, actor)
    console.print(f"loan product {product_id} switched on")


def fund(
    programme_id: int, amount: str, ref: str, on: On = None, actor: Actor = "cli",
    today: DateOpt = None,
) -> None:  # fmt: skip
    """Put money into the programme's loan fund."""
    with domain_errors():
        day = today_or(today)
        books.deposit_to_loan_fund(
            Database(), programme_id, amount, parse_day(on, "on", day), ref, actor, day
        )
    console.print(f"loan fund credited with {amount}")


def apply_cmd(
    group_id: int,
    member_id: int,
    product_id: int,
    amount: str,
    purpose: Annotated[str, typer.Option()] = "",
    revenue: Annotated[str | None, typer.Option(help="Expected monthly revenue.")] = None,
    costs: Annotated[str | None, typer.Option(help="Expected monthly costs.")] = None,
    on: On = None,
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Apply for a loan for a member of a group."""
    with domain_errors():
        day = today_or(today)
        req = applications.LoanRequest(
            group_id, member_id, product_id, amount, parse_day(on, "on", day), purpose,
            monthly_revenue=revenue, monthly_costs=costs,
        )  # fmt: skip
        loan_id = applications.apply(Database(), req, actor, day)
    console.print(f"loan {loan_id} applied for")


def approve(loan_id: int, actor: Account, on: On = None, today: DateOpt = None) -> None:
    """Approve a loan (a checker's login, not who applied)."""
    with domain_errors():
        day = today_or(today)
        db = Database()
        user = loan_checker(db, actor, loan_id)
        status = applications.approve(db, loan_id, parse_day(on, "on", day), user.username, day)
    console.print(f"loan {loan_id} {status.value}")


def reject(loan_id: int, reason: str, actor: Account, on: On = None, today: DateOpt = None) -> None:
    """Reject a loan application, saying why (a checker's login)."""
    with domain_errors():
        day = today_or(today)
        db = Database()
        user = loan_checker(db, actor, loan_id)
        status = applications.reject(
            db, loan_id, parse_day(on, "on", day), reason, user.username, day
        )
    console.print(f"loan {loan_id} {status.value}")


def disburse(loan_id: int, on: On = None, actor: Actor = "cli", today: DateOpt = None) -> None:
    """Hand over an approved loan: schedule, ledger entry, guarantee."""
    with domain_errors():
        day = today_or(today)
        done = disbursement.disburse(Database(), loan_id, parse_day(on, "on", day), actor, day)
    console.print(f"loan {loan_id} disbursed: {done.net} in {done.instalments} instalments")


def repay(
    loan_id: int,
    amount: str,
    ref: Annotated[str, typer.Option(help="Receipt number; reusing it books nothing.")],
    on: On = None,
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Record a repayment, allocated penalties → fees → interest → principal."""
    with domain_errors():
        day = today_or(today)
        r = repayments.repay(Database(), loan_id, amount, parse_day(on, "on", day), ref, actor, day)
    verb = "booked" if r.created else "already booked, nothing changed"
    console.print(
        f"repayment {verb}: principal {r.principal}, interest {r.interest}, fees {r.fees}, "
        f"penalties {r.penalties}, over-paid {r.overpaid}; loan {r.status.value}"
    )


def show(loan_id: int) -> None:
    """A loan and its schedule with what is paid."""
    with domain_errors(), Database().read() as conn:
        row = conn.execute(select(loan).where(loan.c.id == loan_id)).first()
        if row is None:
            raise NotFound(f"no loan {loan_id}", field="loan_id")
        rows = conn.execute(
            select(loan_instalment)
            .where(loan_instalment.c.loan_id == loan_id)
            .order_by(loan_instalment.c.n)
        ).all()
    cur = row.currency
    console.print(
        f"loan {row.id} ({row.kind}, {row.status}) member {row.member_id} group {row.group_id}: "
        f"{Money.from_minor(row.principal_minor, cur)}, cycle {row.loan_cycle}"
    )
    table = Table("n", "due", "principal", "interest", "fees", "penalty", "paid")
    for r in rows:
        paid = r.principal_paid_minor + r.interest_paid_minor + r.fee_paid_minor
        table.add_row(
            str(r.n),
            r.due_on.isoformat(),
            *(
                str(Money.from_minor(v, cur).amount)
                for v in (r.principal_minor, r.interest_minor, r.fee_minor, r.penalty_minor)
            ),
            str(Money.from_minor(paid + r.penalty_paid_minor, cur).amount),
        )
    console.print(table)


def arrears(programme_id: int) -> None:
    """Loans in arrears as the last close-day left them."""
    with domain_errors():
        rows = arrears_list(Database(), programme_id)
    table = Table("loan", "member", "group", "days late", "in arrears", "outstanding", "bucket")
    for r in rows:
        table.add_row(
            str(r.loan_id), r.member, r.group, str(r.days_late),
            str(r.principal_in_arrears.amount), str(r.outstanding.amount), r.bucket,
        )  # fmt: skip
    console.print(table)


def close_day_cmd(
    day: Annotated[str, typer.Option("--date", help="The day to close (YYYY-MM-DD).")],
    actor: Actor = "cli",
    today: DateOpt = None,
) -> None:
    """Penalties, arrears and interest accrual (external loans) for every loan at once;
    re-running a date changes nothing; a day after today is refused."""
    with domain_errors():
        now = today_or(today)
        result = books.run_close_day(
            Database(), parse_day(day, "date", now), actor, now, (write_snapshots,)
        )
    again = "" if result.first_run else " (date closed before; nothing new)"
    accrued = (
        f", interest accrued on {result.loans_accruing} external loans" if result.accrued else ""
    )
    console.print(
        f"closed {result.run_on}: {result.loans} active loans, "
        f"{result.penalties_charged} penalties charged{accrued}{again}"
    )


def register(root: typer.Typer, loan_app: typer.Typer) -> None:
    for name, fn in (
        ("product-add", product_add),
        ("product-off", product_off),
        ("product-on", product_on),
        ("fund", fund),
        ("apply", apply_cmd),
        ("approve", approve),
        ("reject", reject),
        ("disburse", disburse),
        ("repay", repay),
        ("show", show),
        ("arrears", arrears),
    ):
        loan_app.command(name)(fn)
    loans_servicing.register(loan_app)
    root.command("close-day")(close_day_cmd)
