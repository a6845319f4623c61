"""WS-Management / WinRS SOAP: read the requests pywinrm and pypsrp send, write Windows-shaped replies."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
}
SHELL = NS["rsp"]
ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACTION_COMMAND = f"{SHELL}/Command"
ACTION_SEND = f"{SHELL}/Send"
ACTION_RECEIVE = f"{SHELL}/Receive"
ACTION_SIGNAL = f"{SHELL}/Signal"
STATE_RUNNING = f"{SHELL}/CommandState/Running"
STATE_DONE = f"{SHELL}/CommandState/Done"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

CODE_TIMED_OUT = 2150858793
CODE_INVALID_SELECTORS = 2150858843
CODE_SHELL_QUOTA = 2150859174
CODE_BAD_REQUEST = 2150858817


class SoapError(ValueError):
    """The request is not a WS-Management message we can read."""


@dataclass
class Request:
    action: str
    message_id: str
    shell_id: str | None
    options: dict[str, str]
    body: ET.Element
    operation_timeout: str | None = None
    streams: list[tuple[str, str | None, bool, bytes]] = field(default_factory=list)


def parse_request(data: bytes) -> Request:
    try:
        root = ET.fromstring(data)  # noqa: S314 - loopback lab fed by our own clients; no DTDs in use
    except ET.ParseError as exc:
        raise SoapError(f"not XML: {exc}") from None
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None or body is None:
        raise SoapError("missing SOAP Header or Body")
    action = (header.findtext("a:Action", default="", namespaces=NS) or "").strip()
    message_id = (header.findtext("a:MessageID", default="", namespaces=NS) or "").strip()
    shell_id = None
    for selector in header.iterfind("w:SelectorSet/w:Selector", NS):
        if selector.get("Name") == "ShellId":
            shell_id = (selector.text or "").strip()
    options = {o.get("Name", ""): (o.text or "").strip() for o in header.iterfind("w:OptionSet/w:Option", NS)}
    timeout = header.findtext("w:OperationTimeout", default=None, namespaces=NS)
    return Request(action, message_id, shell_id, options, body, timeout)


def command_id_of(body: ET.Element) -> str | None:
    for tag in ("rsp:Receive/rsp:DesiredStream", "rsp:Signal", "rsp:Send/rsp:Stream"):
        node = body.find(tag, NS)
        if node is not None and node.get("CommandId"):
            return node.get("CommandId")
    return None


def _envelope(action: str, relates_to: str, body: str) -> bytes:
    text = (
        f'<s:Envelope xml:lang="en-US" xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:x="{NS["x"]}" '
        f'xmlns:w="{NS["w"]}" xmlns:rsp="{NS["rsp"]}" xmlns:p="{NS["p"]}">'
        f"<s:Header><a:Action>{action}</a:Action><a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
        "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
        f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo></s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
    return text.encode("utf-8")


def create_response(req: Request, shell_id: str, endpoint: str) -> bytes:
    body = (
        f"<x:ResourceCreated><a:Address>{escape(endpoint)}</a:Address><a:ReferenceParameters>"
        "<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
        "</a:ReferenceParameters></x:ResourceCreated>"
        f"<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId>"
        "<rsp:ResourceUri>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</rsp:ResourceUri>"
        "<rsp:Owner>LAB\\cmbot</rsp:Owner><rsp:ClientIP>127.0.0.1</rsp:ClientIP>"
        "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin</rsp:InputStreams>"
        "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams><rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
        "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>"
    )
    return _envelope(f"{ACTION_CREATE}Response", req.message_id, body)


def command_response(req: Request, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return _envelope(f"{ACTION_COMMAND}Response", req.message_id, body)


def send_response(req: Request) -> bytes:
    return _envelope(f"{ACTION_SEND}Response", req.message_id, "<rsp:SendResponse/>")


def receive_response(
    req: Request, command_id: str, streams: list[tuple[str, str]], *, done: bool, exit_code: int
) -> bytes:
    """`streams` holds (name, base64 text) pieces; Done closes both streams and carries the exit code."""
    parts = [
        f'<rsp:Stream Name="{name}" CommandId="{command_id}">{data}</rsp:Stream>' for name, data in streams
    ]
    if done:
        parts.append(f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"></rsp:Stream>')
        parts.append(f'<rsp:Stream Name="stderr" CommandId="{command_id}" End="true"></rsp:Stream>')
        parts.append(
            f'<rsp:CommandState CommandId="{command_id}" State="{STATE_DONE}">'
            f"<rsp:ExitCode>{exit_code}</rsp:ExitCode></rsp:CommandState>"
        )
    else:
        parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{STATE_RUNNING}"/>')
    body = f"<rsp:ReceiveResponse>{''.join(parts)}</rsp:ReceiveResponse>"
    return _envelope(f"{ACTION_RECEIVE}Response", req.message_id, body)


def signal_response(req: Request) -> bytes:
    return _envelope(f"{ACTION_SIGNAL}Response", req.message_id, "<rsp:SignalResponse/>")


def delete_response(req: Request) -> bytes:
    return _envelope(f"{ACTION_DELETE}Response", req.message_id, "")


def fault(relates_to: str, *, subcode: str, code: int, reason: str) -> bytes:
    body = (
        f"<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>{subcode}</s:Value>"
        f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">{escape(reason)}</s:Text></s:Reason>'
        f'<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" '
        f'Code="{code}" Machine="127.0.0.1"><f:Message>{escape(reason)}</f:Message></f:WSManFault>'
        "</s:Detail></s:Fault>"
    )
    return _envelope(FAULT_ACTION, relates_to, body)
