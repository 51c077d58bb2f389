"""SMPP command_status codes (``smsstatus.smpp_status``, plugin API 1.5).

The expected codes and names are typed here from the specifications, SMPP v3.4
Issue 1.2 section 5.1.3 (Table 5-2) and SMPP v5.0 section 4.7.6, not read from
the module under test: a wrong or missing entry in the table fails below.
"""

from __future__ import annotations

import pytest
import smsstatus_jasmin.mapping as jasmin
import smsstatus_kannel.mapping as kannel
from smsstatus.plugin import (
    COMMAND_STATUSES,
    MappingKind,
    Reason,
    Status,
    command_status,
    map_command_status,
)

# SMPP v3.4, Table 5-2: every code and name, in the table's order.
SPEC_V34 = """
0x00000000 ESME_ROK            0x00000001 ESME_RINVMSGLEN     0x00000002 ESME_RINVCMDLEN
0x00000003 ESME_RINVCMDID      0x00000004 ESME_RINVBNDSTS     0x00000005 ESME_RALYBND
0x00000006 ESME_RINVPRTFLG     0x00000007 ESME_RINVREGDLVFLG  0x00000008 ESME_RSYSERR
0x0000000A ESME_RINVSRCADR     0x0000000B ESME_RINVDSTADR     0x0000000C ESME_RINVMSGID
0x0000000D ESME_RBINDFAIL      0x0000000E ESME_RINVPASWD      0x0000000F ESME_RINVSYSID
0x00000011 ESME_RCANCELFAIL    0x00000013 ESME_RREPLACEFAIL   0x00000014 ESME_RMSGQFUL
0x00000015 ESME_RINVSERTYP     0x00000033 ESME_RINVNUMDESTS   0x00000034 ESME_RINVDLNAME
0x00000040 ESME_RINVDESTFLAG   0x00000042 ESME_RINVSUBREP     0x00000043 ESME_RINVESMCLASS
0x00000044 ESME_RCNTSUBDL      0x00000045 ESME_RSUBMITFAIL    0x00000048 ESME_RINVSRCTON
0x00000049 ESME_RINVSRCNPI     0x00000050 ESME_RINVDSTTON     0x00000051 ESME_RINVDSTNPI
0x00000053 ESME_RINVSYSTYP     0x00000054 ESME_RINVREPFLAG    0x00000055 ESME_RINVNUMMSGS
0x00000058 ESME_RTHROTTLED     0x00000061 ESME_RINVSCHED      0x00000062 ESME_RINVEXPIRY
0x00000063 ESME_RINVDFTMSGID   0x00000064 ESME_RX_T_APPN      0x00000065 ESME_RX_P_APPN
0x00000066 ESME_RX_R_APPN      0x00000067 ESME_RQUERYFAIL     0x000000C0 ESME_RINVOPTPARSTREAM
0x000000C1 ESME_ROPTPARNOTALLWD  0x000000C2 ESME_RINVPARLEN   0x000000C3 ESME_RMISSINGOPTPARAM
0x000000C4 ESME_RINVOPTPARAMVAL  0x000000FE ESME_RDELIVERYFAILURE  0x000000FF ESME_RUNKNOWNERR
"""
# SMPP v5.0, section 4.7.6: the codes it adds.
SPEC_V50 = """
0x00000100 ESME_RSERTYPUNAUTH      0x00000101 ESME_RPROHIBITED        0x00000102 ESME_RSERTYPUNAVAIL
0x00000103 ESME_RSERTYPDENIED      0x00000104 ESME_RINVDCS            0x00000105 ESME_RINVSRCADDRSUBUNIT
0x00000106 ESME_RINVDSTADDRSUBUNIT 0x00000107 ESME_RINVBCASTFREQINT   0x00000108 ESME_RINVBCASTALIAS_NAME
0x00000109 ESME_RINVBCASTAREAFMT   0x0000010A ESME_RINVNUMBCAST_AREAS 0x0000010B ESME_RINVBCASTCNTTYPE
0x0000010C ESME_RINVBCASTMSGCLASS  0x0000010D ESME_RBCASTFAIL         0x0000010E ESME_RBCASTQUERYFAIL
0x0000010F ESME_RBCASTCANCELFAIL   0x00000110 ESME_RINVBCAST_REP      0x00000111 ESME_RINVBCASTSRVGRP
0x00000112 ESME_RINVBCASTCHANIND
"""
# SMPP v5.0 renamed the optional-parameter errors after its TLVs.
V5_RENAMED = {
    0xC0: "ESME_RINVTLVSTREAM",
    0xC1: "ESME_RTLVNOTALLWD",
    0xC2: "ESME_RINVTLVLEN",
    0xC3: "ESME_RMISSINGTLV",
    0xC4: "ESME_RINVTLVVAL",
}


def _pairs(text: str) -> dict[int, str]:
    words = text.split()
    return {int(code, 16): name for code, name in zip(words[::2], words[1::2], strict=True)}


V34, V50 = _pairs(SPEC_V34), _pairs(SPEC_V50)


def test_the_table_is_exactly_both_specifications() -> None:
    assert len(V34) == 48 and len(V50) == 19
    assert {code: entry.name for code, entry in COMMAND_STATUSES.items()} == V34 | V50
    assert {code for code, entry in COMMAND_STATUSES.items() if entry.since == "5.0"} == set(V50)
    assert {code: entry.v5_name for code, entry in COMMAND_STATUSES.items() if entry.v5_name} == V5_RENAMED


@pytest.mark.parametrize(("code", "name"), sorted((V34 | V50).items()))
def test_a_code_maps_to_the_specifications_name(code: int, name: str) -> None:
    entry = command_status(code)
    assert entry is not None and entry.name == name
    assert command_status(name) is entry
    assert command_status(name.lower()) is entry
    assert command_status(f"0x{code:08x}") is entry
    assert command_status(f"0X{code:08X}") is entry
    assert entry.hex == f"0x{code:08x}"
    assert entry.description


def test_both_spellings_of_a_renamed_code() -> None:
    for code, v5_name in V5_RENAMED.items():
        assert command_status(v5_name) is command_status(code) is command_status(V34[code])


@pytest.mark.parametrize(
    "value",
    [
        0x09,  # reserved in Table 5-2
        0x68,
        0x400,  # reserved for SMSC vendor specific errors
        0x4FF,
        -1,
        2**40,
        "0x00000400",
        "ESME_RNOSUCHTHING",
        "ESME_",
        "",
        "   ",
        "11",  # a bare number: decimal or hex? nobody can tell
        "0b",
        "0x",
        "0x1g",
        "0x000000000b",  # more than four octets
        "ESME_ROK\x00",
        True,  # an int to Python, never a code
    ],
)
def test_an_unknown_code_is_none_and_stays_unmapped(value: int | str) -> None:
    assert command_status(value) is None
    mapped = map_command_status(value)
    assert (mapped.status, mapped.reason, mapped.mapping) == (Status.UNKNOWN, None, MappingKind.UNMAPPED)


def test_blanks_around_a_value_are_ignored() -> None:
    assert command_status(" 0x0000000b ") is command_status(0x0B)
    assert command_status("\tesme_rinvdstadr\n") is command_status(0x0B)


def test_the_answer_to_a_submit() -> None:
    ok = map_command_status("ESME_ROK")
    assert (ok.status, ok.reason, ok.mapping, ok.final) == (Status.SENT, None, MappingKind.EXACT, False)
    refused = map_command_status(0x0B)
    assert (refused.status, refused.reason, refused.final) == (Status.REJECTED, Reason.INVALID_NUMBER, True)
    assert refused.description == "Invalid destination address"
    # Every listed error is a refusal with a reason; only ESME_ROK has none.
    for entry in COMMAND_STATUSES.values():
        mapped = map_command_status(entry.code)
        assert mapped.mapping is MappingKind.EXACT
        assert (mapped.status is Status.SENT) is entry.ok is (entry.reason is None)


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        (0x64, "temporary"),  # the spec's own word: "ESME Receiver Temporary App Error Code"
        (0x65, "permanent"),  # "ESME Receiver Permanent App Error Code"
        # Kannel re-queues these four instead of failing the message (gw/smsc/smsc_smpp.c).
        (0x14, "temporary"),
        (0x58, "temporary"),
        (0x08, "temporary"),
        (0x102, "temporary"),  # v5.0: "due to a service outage"
        # The message itself is wrong: the same submit gets the same answer.
        (0x0B, "permanent"),
        (0x01, "permanent"),
        (0x104, "permanent"),
        # Neither the spec nor practice says.
        (0xFF, None),
        (0x0D, None),
        (0x00, None),
    ],
)
def test_temporary_and_permanent_failures(code: int, failure: str | None) -> None:
    entry = command_status(code)
    assert entry is not None and entry.failure == failure


def test_the_reasons_of_the_common_refusals() -> None:
    expected = {
        0x0B: Reason.INVALID_NUMBER,
        0x50: Reason.INVALID_NUMBER,
        0x51: Reason.INVALID_NUMBER,
        0x14: Reason.RATE_LIMITED,
        0x58: Reason.RATE_LIMITED,
        0x01: Reason.CONTENT_REJECTED,
        0x104: Reason.CONTENT_REJECTED,
        0x0A: Reason.CONFIGURATION,
        0x0E: Reason.CONFIGURATION,
        0x45: Reason.CARRIER_ERROR,
        0xFF: Reason.UNKNOWN,
    }
    assert {code: COMMAND_STATUSES[code].reason for code in expected} == expected


def test_the_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        COMMAND_STATUSES[0x0B] = COMMAND_STATUSES[0x0A]  # type: ignore[index]


# ESME_ROK is no refusal: Kannel reports it as type 8, never in a NACK.
@pytest.mark.parametrize("code", sorted(set(V34 | V50) - {0}))
def test_kannel_and_jasmin_agree_on_a_refused_submit(code: int) -> None:
    """Kannel relays the code in hex in a type-16 NACK, Jasmin the name in a
    level-1 receipt: the same refusal must read the same from both."""
    from_kannel = kannel.map_value("16", f"0x{code:08x}")
    from_jasmin = jasmin.map_value((V34 | V50)[code])
    assert from_kannel.status is from_jasmin.status is Status.REJECTED
    assert from_kannel.reason is from_jasmin.reason is not None
    assert from_kannel.description == from_jasmin.description
    assert from_kannel.mapping is from_jasmin.mapping is MappingKind.EXACT


def test_an_unlisted_code_keeps_each_gateways_own_default() -> None:
    kannel_default = kannel.map_value("16", "0x00000400")
    assert (kannel_default.status, kannel_default.reason) == (Status.REJECTED, Reason.UNKNOWN)
    jasmin_default = jasmin.map_value("ESME_RVENDOR_SPECIFIC")
    assert (jasmin_default.status, jasmin_default.mapping) == (Status.REJECTED, MappingKind.VENDOR_DEFAULT)
