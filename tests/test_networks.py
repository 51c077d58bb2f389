"""smsstatus.networks: fused MCC+MNC codes split only where the table confirms it.

Expected splits come from the ITU-T E.212 assignments (the table's source),
not from running the code: 234 (United Kingdom and the Crown dependencies)
uses 2-digit MNCs, 10 is O2 UK; 310 (United States) uses 3-digit MNCs, 260 is
T-Mobile US; 204 (Netherlands) uses 2-digit MNCs only; 405 (India) has both.
"""

from __future__ import annotations

import pytest
from smsstatus import networks
from smsstatus.model import Operator
from smsstatus.networks import NetworkCode, split_network_code
from smsstatus.networks_table import MCC_TABLE


def test_a_listed_two_digit_mnc() -> None:
    # Vonage's delivery-receipt example: "network-code": "23410" (O2 UK).
    assert split_network_code("23410") == NetworkCode("23410", "234", "10", None, listed=True)


def test_a_listed_three_digit_mnc() -> None:
    code = split_network_code("310260")
    assert (code.mcc, code.mnc, code.listed, code.ambiguous) == ("310", "260", True, False)


def test_country_only_when_the_mcc_has_one() -> None:
    assert split_network_code("20408").country == "NL"
    # 234 also numbers Guernsey, Jersey and the Isle of Man: no single country.
    assert split_network_code("23410").country is None


def test_an_unlisted_mnc_of_the_plans_only_length_is_kept() -> None:
    # The Netherlands assigns 2-digit MNCs only; a new one splits by length.
    code = split_network_code("20499")
    assert (code.mcc, code.mnc, code.listed) == ("204", "99", False)


@pytest.mark.parametrize(
    ("fused", "why"),
    [
        ("234010", "234 has no 3-digit MNCs: a padded 10? never guessed"),
        ("31026", "310 uses 3-digit MNCs; 26 is not a listed 2-digit one (026? 260?)"),
        ("405999", "India mixes lengths and 999 is not listed"),
    ],
)
def test_ambiguous_codes_keep_the_fused_value_and_no_mnc(fused: str, why: str) -> None:
    code = split_network_code(fused)
    assert code.mnc is None, why
    assert code.ambiguous
    assert code.mcc == fused[:3]
    assert code.fused == fused
    assert code.operator() == Operator(mcc=fused[:3], mnc=None, name=None)


def test_an_mcc_the_table_does_not_know_gives_no_mnc() -> None:
    code = split_network_code("12345")  # MCC 123 is not assigned
    assert (code.mcc, code.mnc, code.country, code.listed) == ("123", None, None, False)


def test_mixed_plan_listed_pairs_split_by_length() -> None:
    # India: 405/05 (2 digits) and 405/005 (3 digits) are both assigned.
    assert split_network_code("40505").mnc == "05"
    assert split_network_code("405005").mnc == "005"


def test_blanks_around_the_code_are_ignored() -> None:
    assert split_network_code(" 23410 ").fused == "23410"


@pytest.mark.parametrize(
    "bad", ["", "2341", "2341000", "23a10", "\uff12\uff13\uff14\uff11\uff10", "-2341", "23 10"]
)
def test_not_a_fused_code_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="digit"):
        split_network_code(bad)


def test_operator_carries_a_name() -> None:
    assert split_network_code("23410").operator("O2") == Operator(mcc="234", mnc="10", name="O2")


def test_the_table_is_well_formed() -> None:
    assert networks.TABLE_SOURCE.startswith("mcc-mnc-p1 ")
    assert len(MCC_TABLE) > 200
    for mcc, (country, two, three) in MCC_TABLE.items():
        assert len(mcc) == 3 and mcc.isdigit(), mcc
        assert country == "" or (len(country) == 2 and country.isupper()), mcc
        assert all(len(m) == 2 and m.isdigit() for m in two.split()), mcc
        assert all(len(m) == 3 and m.isdigit() for m in three.split()), mcc
        assert two or three, mcc


def test_read_network_code_keeps_the_fused_value_and_warns_when_it_cannot_split() -> None:
    from smsstatus.fields import Record

    extra: dict[str, object] = {}
    record = Record("acme", {"net": 23410})  # an integer is read as its digits
    code = networks.read_network_code(record, "net", extra)
    assert code is not None and (code.mcc, code.mnc) == ("234", "10") and extra == {"network_code": "23410"}
    assert record.warnings == ()
    bad = Record("acme", {"net": "23x10"})
    assert networks.read_network_code(bad, "net", extra) is None
    assert extra == {"network_code": "23x10"}
    assert [w.field for w in bad.warnings] == ["$.net"]
    absent = Record("acme", {})
    assert networks.read_network_code(absent, "net", extra) is None and extra == {"network_code": None}


@pytest.mark.parametrize(
    "fused", ["23410", "310260", "20408", "20499", "12345", "40505", "405005", " 23410 "]
)
def test_network_of_answers_the_split_s_operator_and_country(fused: str) -> None:
    code = split_network_code(fused)
    expected = (Operator(mcc=code.mcc, mnc=code.mnc, name=None), code.country)
    assert networks.network_of(fused) == networks.network_of(fused) == expected


@pytest.mark.parametrize(
    "value", ["", "2341", "2341000", "23a10", "\uff12\uff13\uff14\uff11\uff10", "1" * 100]
)
def test_network_of_refuses_what_split_network_code_refuses(value: str) -> None:
    with pytest.raises(ValueError) as expected:
        split_network_code(value)
    with pytest.raises(ValueError) as refused:
        networks.network_of(value)
    assert str(refused.value) == str(expected.value)
    assert networks.network_of.cache_info().currsize <= 8  # type: ignore[attr-defined]  # refusals not kept
