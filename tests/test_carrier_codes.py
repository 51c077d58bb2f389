"""Issue 10 point 13: one meaning per carrier code.

The Chinese carrier gateway codes that several vendors pass through (China
Mobile's CMPP, China Unicom's SGIP, China Telecom's SMGP) must mean the same
thing whichever bundled plugin relays them: the core table decides, and each
plugin's map_status agrees with it.
"""

from __future__ import annotations

import pytest
import smsstatus
from smsstatus.carrier_codes import CARRIER_CODES, FAMILIES, map_carrier_code
from smsstatus.model import MappedStatus, Reason, Status

REGISTRY = smsstatus.load()


def _relayed(code: str) -> dict[str, MappedStatus]:
    """What each bundled plugin that passes carrier codes through answers for ``code``
    (Huawei in its ``status``; uSpeedo in the ``ReceiptCode`` of a failed receipt)."""
    return {
        "huawei": REGISTRY.map_status("huawei", code),
        "uspeedo": REGISTRY.map_status("uspeedo", "Fail", code),
    }


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        # The three codes the audit found mapped differently per plugin:
        ("MILIMIT", Status.REJECTED, Reason.RATE_LIMITED),  # uSpeedo said undelivered, Huawei rejected
        ("TDBLACK", Status.REJECTED, Reason.OPTED_OUT),  # blocked vs opted_out: TD is the unsubscribe keyword
        (
            "KEYWORD",
            Status.REJECTED,
            Reason.SPAM_FILTERED,
        ),  # a keyword filter is spam_filtered (canonical-model.md)
    ],
)
def test_the_codes_that_differed_now_mean_one_thing(code: str, status: Status, reason: Reason) -> None:
    for vendor, mapped in _relayed(code).items():
        assert (mapped.status, mapped.reason) == (status, reason), vendor


@pytest.mark.parametrize("documented", CARRIER_CODES, ids=lambda d: d.value)
def test_every_carrier_code_means_the_same_through_every_relaying_plugin(
    documented: smsstatus.DocumentedStatus,
) -> None:
    expected = documented.expected
    for vendor, mapped in _relayed(documented.value).items():
        assert (mapped.status, mapped.reason) == (expected.status, expected.reason), vendor


def test_every_carrier_code_is_a_final_failure() -> None:
    for documented in CARRIER_CODES:
        assert documented.expected.status in (Status.REJECTED, Status.UNDELIVERED), documented.value
        assert documented.expected.reason is not None


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("MK:0001", "MK:"), ("mk:0001", "MK:"), (" DB:0141 ", "DB:"), ("SMGPERR:53", "SMGPERR:")],
)
def test_a_family_member_without_a_row_of_its_own_takes_its_family_meaning(code: str, prefix: str) -> None:
    assert map_carrier_code(code) == FAMILIES[prefix]


def test_whole_codes_win_over_their_family_and_case_and_blanks_do_not_matter() -> None:
    assert map_carrier_code("MK:0057") != FAMILIES["MK:"]
    assert map_carrier_code(" keyword ") == map_carrier_code("KEYWORD")


@pytest.mark.parametrize("code", ["", "DELIVRD", "E200024", "SC:0001", "XYZ", ":0001", "0"])
def test_what_is_not_a_carrier_code_has_no_meaning_here(code: str) -> None:
    assert map_carrier_code(code) is None
