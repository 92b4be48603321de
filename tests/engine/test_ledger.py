"""The ledger: every change of a population's total is a named flow."""

from __future__ import annotations

import pytest

from thermidor.engine import Ledger


def test_expected_total_is_the_start_plus_inflows_minus_outflows():
    ledger = Ledger()
    ledger.open("workers", 1000)
    ledger.open("villagers", 5000)
    ledger.flow("return_to_village", "workers", "villagers", 300)
    ledger.flow("hired_from_village", "villagers", "workers", 50)
    ledger.flow("death", "workers", "outside", 20)
    ledger.flow("birth", "outside", "villagers", 70)

    assert ledger.expected("workers") == 1000 - 300 + 50 - 20
    assert ledger.expected("villagers") == 5000 + 300 - 50 + 70


def test_flows_of_the_same_cause_accumulate_and_by_cause_sums_them():
    ledger = Ledger()
    ledger.flow("death", "workers", "outside", 5)
    ledger.flow("death", "workers", "outside", 7)
    ledger.flow("death", "villagers", "outside", 11)
    assert ledger.flows[("death", "workers", "outside")] == 12
    assert ledger.by_cause() == {"death": 23}


def test_a_negative_flow_is_refused():
    ledger = Ledger()
    with pytest.raises(ValueError, match="negative flow -3 for death"):
        ledger.flow("death", "workers", "outside", -3)


def test_an_empty_flow_is_not_recorded():
    ledger = Ledger()
    ledger.flow("death", "workers", "outside", 0)
    assert ledger.by_cause() == {}
