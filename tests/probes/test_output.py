"""The runner reads marker lines among BOMs, WARNING lines and garbage, and decodes CLIXML stderr."""

import base64
import json

from probes.output import classify_failure, decode_clixml, parse_output

SECTION = "CMBOT-SECTION disk " + base64.b64encode(json.dumps({"drive": "C:"}).encode()).decode()


def test_bom_and_warning_lines_are_tolerated() -> None:
    """A UTF-8 BOM and WARNING lines before the markers do not lose the document (defect 6)."""
    text = (
        "\ufeffWARNING: something\r\nCMBOT-HOST ps=5.1.1 lang=FullLanguage\r\n"
        + SECTION
        + "\r\nCMBOT-END\r\n"
    )
    out = parse_output(text)
    assert out.host is not None and out.host.major == 5
    assert out.sections == {"disk": {"drive": "C:"}} and out.finished
    assert out.other_lines == ["WARNING: something"]


def test_a_garbled_section_line_is_that_section_only() -> None:
    """A cut base64 line marks that section unreadable and keeps the rest."""
    out = parse_output("CMBOT-SECTION cache AAAx\r\n" + SECTION + "\r\n")
    assert out.errors["cache"].kind == "schema" and "disk" in out.sections and not out.finished


def test_powershell_2_host_line() -> None:
    """The PS 2.0 bootstrap prints only its host line: version 2, no sections."""
    out = parse_output("CMBOT-HOST ps=2.0 lang=FullLanguage\r\n")
    assert out.host is not None and out.host.major == 2 and out.has_markers and not out.sections


def test_clixml_error_is_decoded() -> None:
    """pywinrm-style CLIXML stderr becomes the plain error text (defect 3)."""
    stderr = (
        '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
        '<S S="Error">The term &apos;ConvertFrom-Json&apos; is not recognized_x000D__x000A_</S></Objs>'
    )
    assert decode_clixml(stderr) == "The term 'ConvertFrom-Json' is not recognized"
    assert decode_clixml("plain\r\n") == "plain"


def test_failure_kinds() -> None:
    """Access denied, not installed, timeouts and budget skips are told apart."""
    cim = "Microsoft.Management.Infrastructure.CimException"
    assert classify_failure({"exception": cim, "native": "AccessDenied"}).kind == "denied"
    assert classify_failure({"exception": "System.Security.SecurityException"}).kind == "denied"
    assert classify_failure({"exception": cim, "native": "InvalidNamespace"}).kind == "absent"
    assert classify_failure({"exception": cim, "hresult": "-2147217394"}).kind == "absent"
    assert (
        classify_failure({"exception": cim, "native": "Failed", "message": "... OperationTimeout."}).kind
        == "timeout"
    )
    assert classify_failure({"exception": "cmbot.Budget"}).kind == "budget"
    assert classify_failure({"exception": "System.Management.Automation.RuntimeException"}).kind == "script"
