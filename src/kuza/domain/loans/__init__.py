"""Credit maths: loan terms, repayment schedules, APR/EIR, repayment allocation, arrears
and the loan lifecycle. Pure functions over frozen records; stdlib only."""
