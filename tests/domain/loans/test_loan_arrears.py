"""Days past due, PAR and repayment rates on small ledgers stated as data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kuza.domain.loans.arrears import (
    LoanAtRisk,
    Received,
    Scheduled,
    cumulative_repayment_rate,
    days_past_due,
    on_time_repayment_rate,
    par_buckets,
)

DUES = [
    Scheduled(date(2024, 2, 1), Decimal(100)),
    Scheduled(date(2024, 3, 1), Decimal(100)),
    Scheduled(date(2024, 4, 1), Decimal(100)),
]


def test_days_past_due_counts_from_oldest_uncovered_instalment() -> None:
    payments = [Received(date(2024, 2, 1), Decimal(100)), Received(date(2024, 3, 20), Decimal(50))]
    assert days_past_due(DUES, payments, date(2024, 2, 15)) == 0
    # March instalment only half covered on 10 April: 40 days late
    assert days_past_due(DUES, payments, date(2024, 4, 10)) == 40
    assert days_past_due(DUES, [Received(date(2024, 1, 5), Decimal(300))], date(2024, 5, 1)) == 0


def test_repayment_rates() -> None:
    payments = [Received(date(2024, 2, 1), Decimal(100)), Received(date(2024, 3, 20), Decimal(100))]
    as_of = date(2024, 3, 31)
    # fallen due 200; on time only February's 100; received 200 in all
    assert on_time_repayment_rate(DUES, payments, as_of) == Decimal("0.5")
    assert cumulative_repayment_rate(DUES, payments, as_of) == Decimal(1)
    # prepayment of April is not counted
    early = [*payments, Received(date(2024, 3, 25), Decimal(100))]
    assert cumulative_repayment_rate(DUES, early, as_of) == Decimal(1)
    assert on_time_repayment_rate(DUES, [], date(2024, 1, 1)) is None


def test_par_is_balance_weighted_and_counts_renegotiated() -> None:
    loans = [
        LoanAtRisk(Decimal(500), 0),
        LoanAtRisk(Decimal(200), 5),
        LoanAtRisk(Decimal(200), 45),
        LoanAtRisk(Decimal(100), 120),
        LoanAtRisk(Decimal(0), 200),
    ]
    assert par_buckets(loans) == {
        "PAR1": Decimal("0.5"),
        "PAR30": Decimal("0.3"),
        "PAR90": Decimal("0.1"),
    }
    renegotiated = [*loans[:1], LoanAtRisk(Decimal(500), 0, renegotiated=True)]
    assert par_buckets(renegotiated)["PAR30"] == Decimal("0.5")
    assert par_buckets([])["PAR1"] == 0


def test_repaid_on_time_over_a_window() -> None:
    from kuza.domain.loans.arrears import repaid_on_time

    dues = [
        Scheduled(date(2026, 1, 1), Decimal(100)),
        Scheduled(date(2026, 2, 1), Decimal(100)),
        Scheduled(date(2026, 3, 1), Decimal(100)),
    ]
    # 150 on 1 Jan covers January and half of February on time; 150 on 1 Mar is late
    # for February's other half (50) and on time for March (100).
    payments = [
        Received(date(2026, 1, 1), Decimal(150)),
        Received(date(2026, 3, 1), Decimal(150)),
    ]
    assert repaid_on_time(dues, payments, date(2026, 3, 31)) == (Decimal(250), Decimal(300))
    # February's 100 was due with only 50 left of the January payment: 50 on time
    assert repaid_on_time(dues, payments[:1], date(2026, 2, 28)) == (Decimal(150), Decimal(200))
    since_feb = repaid_on_time(dues, payments, date(2026, 3, 31), since=date(2026, 2, 1))
    assert since_feb == (Decimal(150), Decimal(200))
    assert repaid_on_time(dues, payments[:1], date(2026, 2, 28), since=date(2026, 2, 1)) == (
        Decimal(50),
        Decimal(100),
    )
