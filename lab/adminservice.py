"""A ConfigMgr administration service (AdminService) on loopback for the lab: HTTPS with the lab
CA, NTLM with the lab account, GET on the WMI route answering from the lab scenarios.

It serves the four classes cmbot reads (see probes/adminservice.py for the documentation of
each) in the OData v4 JSON shape: `{"@odata.context": …, "value": [rows]}`, pages linked by
`@odata.nextLink`, errors as `{"error": {"code", "message"}}`. Only `$filter` clauses of the form
`Prop eq 'text'` or `Prop eq 123` joined by `and`, and `$select`, are understood.

The site is derived from the scenarios, so it agrees with what each host answers over WinRM:
- the built-in collection "All Systems" (SMS00001, as the ConfigMgr SDK names it) holds every
  host, and "Lab <cause>" one collection per scenario cause;
- each update assignment found in a scenario's `deployment_policy` becomes a deployment; its
  hosts' StatusType is 1 Success when the scenario is healthy, 4 Unknown when the host cannot be
  reached (the client reports nothing), else 5 Error.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import ssl
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import spnego
import spnego.exceptions
from pydantic import BaseModel, ConfigDict, Field

from lab.scenario import Scenario

log = logging.getLogger("cmbot.lab.adminservice")
PAGE_SIZE = 1000
_CLAUSE = re.compile(r"^\s*(\w+)\s+eq\s+(?:'((?:[^']|'')*)'|(\d+))\s*$", re.IGNORECASE)


class LabCollection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    collection_id: str
    name: str
    members: list[str] = Field(default_factory=list)


class LabDeployment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    assignment_id: int
    unique_id: str
    name: str
    collection_id: str = "SMS00001"
    statuses: dict[str, int] = Field(default_factory=dict, description="device name → StatusType")


class LabSite(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    collections: list[LabCollection] = Field(default_factory=list)
    deployments: list[LabDeployment] = Field(default_factory=list)

    def rows(self, wmi_class: str) -> list[dict[str, Any]] | None:
        """Every instance of a class as the WMI route returns it; None for a class not served."""
        resource_ids = {name: 16777216 + index for index, name in enumerate(self._devices())}
        name = wmi_class.lower()
        if name == "sms_collection":
            return [
                {
                    "CollectionID": c.collection_id,
                    "Name": c.name,
                    "MemberCount": len(c.members),
                    "CollectionType": 2,
                }
                for c in self.collections
            ]
        if name == "sms_fullcollectionmembership":
            return [
                {"CollectionID": c.collection_id, "Name": m, "ResourceID": resource_ids[m], "IsClient": True}
                for c in self.collections
                for m in c.members
            ]
        if name == "sms_updatesassignment":
            return [
                {
                    "AssignmentID": d.assignment_id,
                    "AssignmentUniqueID": d.unique_id,
                    "AssignmentName": d.name,
                    "TargetCollectionID": d.collection_id,
                }
                for d in self.deployments
            ]
        if name == "sms_sumdeploymentassetdetails":
            return [
                {
                    "AssignmentID": d.assignment_id,
                    "AssignmentUniqueID": d.unique_id,
                    "AssignmentName": d.name,
                    "CollectionID": d.collection_id,
                    "DeviceName": device,
                    "ResourceID": resource_ids.get(device, 0),
                    "StatusType": status,
                    "IsCompliant": 1 if status == 1 else 0,
                }
                for d in self.deployments
                for device, status in d.statuses.items()
            ]
        return None

    def _devices(self) -> list[str]:
        names = [m for c in self.collections for m in c.members]
        names += [device for d in self.deployments for device in d.statuses]
        return list(dict.fromkeys(names))


def site_from_scenarios(scenarios: Sequence[Scenario]) -> LabSite:
    """The lab site the scenarios imply (see the module docstring)."""
    everyone = [s.name for s in scenarios]
    by_cause: dict[str, list[str]] = {}
    for scenario in scenarios:
        by_cause.setdefault(scenario.scenario, []).append(scenario.name)
    collections = [LabCollection(collection_id="SMS00001", name="All Systems", members=everyone)]
    collections += [
        LabCollection(collection_id=f"LAB{index:05d}", name=f"Lab {cause}", members=names)
        for index, (cause, names) in enumerate(sorted(by_cause.items()), start=1)
    ]
    deployments: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        policy = scenario.state.get("deployment_policy") or {}
        for assignment in policy.get("assignments") or []:
            unique_id = str(assignment.get("id", ""))
            entry = deployments.setdefault(
                unique_id, {"name": str(assignment.get("name", unique_id)), "statuses": {}}
            )
            status = (
                1 if scenario.scenario == "healthy" else 4 if scenario.scenario == "winrm-unreachable" else 5
            )
            entry["statuses"][scenario.name] = status
    lab_deployments = []
    for index, (unique_id, entry) in enumerate(sorted(deployments.items())):
        head = unique_id.strip("{}").split("-")[0]
        assignment_id = int(head) if head.isdigit() else 16777300 + index
        lab_deployments.append(
            LabDeployment(
                assignment_id=assignment_id,
                unique_id=unique_id,
                name=entry["name"],
                statuses=entry["statuses"],
            )
        )
    return LabSite(collections=collections, deployments=lab_deployments)


class FilterError(ValueError):
    """A `$filter` the lab does not understand (the real service would answer 400 too)."""


def _matches(row: dict[str, Any], filter_: str) -> bool:
    for clause in re.split(r"\s+and\s+", filter_.strip(), flags=re.IGNORECASE) if filter_.strip() else []:
        match = _CLAUSE.match(clause)
        if not match:
            raise FilterError(f"unsupported $filter clause: {clause[:80]}")
        prop, text, number = match.groups()
        key = next((k for k in row if k.lower() == prop.lower()), None)
        if key is None:
            raise FilterError(f"no property {prop[:40]}")
        value = row[key]
        if number is not None:
            if value != int(number):
                return False
        elif str(value).lower() != text.replace("''", "'").lower():  # WMI string compares ignore case
            return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    service: LabAdminService


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: _Server
    _ntlm: Any = None

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("lab adminservice: " + format, *args)

    def _reply(
        self, status: int, document: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        body = json.dumps(document).encode() if document is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if document is not None:
            self.send_header("Content-Type", "application/json; odata.metadata=minimal")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        """NTLM is connection-based (as IIS does it): a handshake, then requests on that connection."""
        self.server.service.requests += 1
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() in ("ntlm", "negotiate") and token:
            try:
                raw = base64.b64decode(token)
                if self._ntlm is None or raw[8:12] == b"\x01\x00\x00\x00":
                    self._ntlm = spnego.server(protocol="ntlm")
                out = self._ntlm.step(raw)
            except (spnego.exceptions.SpnegoError, binascii.Error, ValueError):
                self._ntlm = None
                self._reply(401, headers={"WWW-Authenticate": "NTLM"})
                return
            if not self._ntlm.complete:
                self._reply(
                    401, headers={"WWW-Authenticate": f"{scheme} {base64.b64encode(out or b'').decode()}"}
                )
                return
        if self._ntlm is None or not self._ntlm.complete:
            self._reply(401, headers={"WWW-Authenticate": "NTLM"})
            return
        self._answer()

    def _answer(self) -> None:
        service = self.server.service
        parts = urlsplit(self.path)
        match = re.fullmatch(r"/AdminService/wmi/(\w+)", parts.path, flags=re.IGNORECASE)
        rows = service.site.rows(match.group(1)) if match else None
        if match is None or rows is None:
            self._reply(404, {"error": {"code": "NotFound", "message": "no such resource"}})
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            chosen = [row for row in rows if _matches(row, query.get("$filter", ""))]
        except FilterError as exc:
            self._reply(400, {"error": {"code": "BadRequest", "message": str(exc)}})
            return
        select = [s.strip() for s in query.get("$select", "").split(",") if s.strip()]
        if select:
            chosen = [
                {k: v for k, v in row.items() if any(k.lower() == s.lower() for s in select)}
                for row in chosen
            ]
        skip = int(query.get("$skip", "0") or 0)
        page = chosen[skip : skip + service.page_size]
        base = f"{service.url}/wmi"
        document: dict[str, Any] = {"@odata.context": f"{base}/$metadata#{match.group(1)}", "value": page}
        if skip + service.page_size < len(chosen):
            document["@odata.nextLink"] = f"{base}/{match.group(1)}?" + urlencode(
                {**query, "$skip": str(skip + service.page_size)}
            )
        self._reply(200, document)


class LabAdminService:
    """The loopback AdminService: `url` is https://127.0.0.1:PORT/AdminService."""

    def __init__(self, site: LabSite, tls: ssl.SSLContext, *, page_size: int = PAGE_SIZE) -> None:
        self.site = site
        self.page_size = page_size
        self.requests = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.service = self
        self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="lab-adminservice", daemon=True
        )

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}/AdminService"

    def start(self) -> LabAdminService:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


__all__ = ["LabAdminService", "LabCollection", "LabDeployment", "LabSite", "site_from_scenarios"]
