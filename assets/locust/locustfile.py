"""MCP Streamable HTTP load test for the ContextForge gateway.

Every request goes to one virtual server's MCP endpoint, ``POST /servers/<id>/mcp``, as a real MCP client would
send it: ``initialize`` (keeping the ``Mcp-Session-Id`` the gateway returns), ``notifications/initialized``, then
``tools/list`` and ``tools/call`` of the fast-time-server's tools. Replies may be plain JSON or a Server-Sent
Events stream; both are read.

Users, by weight:
  AgentUser        10  one session, then a mix of tool calls and an occasional re-listing
  ToolCallerUser    5  one session, tool calls in a tight loop
  DiscoveryUser     3  one session, tools/list, resources/list and prompts/list
  SessionChurnUser  2  a new session for every cycle: initialize, list, call, close

Environment:
  LOCUST_HOST              the gateway (or the NGINX in front of it), e.g. http://mcp-stack-nginx.ns.svc.cluster.local:80
  MCPGATEWAY_BEARER_TOKEN  bearer token for the gateway (required)
  MCP_SERVER_ID            virtual server to load; empty picks the enabled server with the most tools from /servers
  MCP_PROTOCOL_VERSION     protocol version sent in initialize (default 2025-06-18)
"""

import base64
import json
import logging
import os
import random
import time
import urllib.error
import urllib.request
import uuid

from locust import FastHttpUser, between, events, task
from locust.runners import MasterRunner

log = logging.getLogger("mcp-benchmark")

PROTOCOL_VERSION = os.environ.get("MCP_PROTOCOL_VERSION", "2025-06-18")
CLIENT_INFO = {"name": "mcp-stack-benchmark", "version": "1.0.0"}
# Discovery runs inside the worker's test_start hook; kept short so a hung gateway cannot outlast the master's heartbeat.
DISCOVERY_TIMEOUT = 10
TIMEZONES = [
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
]


class Target:
    """What every user of this process loads: set once per run by ``resolve_target``."""

    server_id = ""
    tools = []  # [(name, arguments factory)]
    problem = ""  # why the run cannot proceed; reported as a failure by every user


def bearer_token():
    token = os.environ.get("MCPGATEWAY_BEARER_TOKEN", "").strip()
    if not token:
        raise RuntimeError("MCPGATEWAY_BEARER_TOKEN is empty: the token was not minted")
    return token


def token_problem(token):
    """A reason the token cannot work (expired or malformed), or an empty string."""
    parts = token.split(".")
    if len(parts) != 3:
        return "the bearer token is not a JWT"
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as error:
        return f"the bearer token payload cannot be read: {error}"
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and exp < time.time() + 60:
        return (
            "the bearer token has expired (each worker mints one when it starts); "
            "restart the workers to mint new ones: kubectl rollout restart deployment/<release>-locust-worker"
        )
    return ""


def sse_messages(text):
    """JSON-RPC messages carried by an SSE body: each event's `data:` lines joined, as the SSE format defines."""
    messages, data = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("data:"):
            data.append(line[6:] if line[5:6] == " " else line[5:])
        elif line == "" and data:
            payload = "\n".join(data).strip()
            data = []
            if payload:
                messages.append(json.loads(payload))
    return messages


def rpc_reply(content_type, text, request_id):
    """The JSON-RPC reply to `request_id` from a JSON or SSE body; raises ValueError when there is none."""
    if "text/event-stream" in (content_type or ""):
        candidates = sse_messages(text)
    else:
        body = json.loads(text)
        candidates = body if isinstance(body, list) else [body]
    for message in candidates:
        if isinstance(message, dict) and message.get("id") == request_id and ("result" in message or "error" in message):
            return message
    raise ValueError(f"no JSON-RPC reply with id {request_id} in the response")


def normalized(name):
    return name.lower().replace("-", "_").replace(".", "_")


def get_system_time_args():
    return {"timezone": random.choice(TIMEZONES)}


def convert_time_args():
    source, target = random.sample(TIMEZONES, 2)
    return {"time": "2025-06-15T14:30:00Z", "source_timezone": source, "target_timezone": target}


def schema_args(schema):
    """Arguments for a tool we do not know, from its input schema: every required property with a plausible value."""
    properties = (schema or {}).get("properties") or {}
    args = {}
    for name in (schema or {}).get("required") or []:
        spec = properties.get(name) or {}
        kind = spec.get("type")
        if spec.get("enum"):
            args[name] = spec["enum"][0]
        elif "default" in spec:
            args[name] = spec["default"]
        elif kind in ("integer", "number"):
            args[name] = 1
        elif kind == "boolean":
            args[name] = True
        elif "timezone" in name.lower():
            args[name] = random.choice(TIMEZONES)
        elif "time" in name.lower() or "date" in name.lower():
            args[name] = "2025-06-15T14:30:00Z"
        else:
            args[name] = "benchmark"
    return args


def pick_tools(listed):
    """The fast-time tools (matched by suffix, since the gateway prefixes tool names) or, failing that, any tools."""
    known = {"get_system_time": get_system_time_args, "convert_time": convert_time_args}
    chosen = []
    for tool in listed:
        name = tool.get("name")
        if not isinstance(name, str):
            continue
        for suffix, factory in known.items():
            if normalized(name).endswith(suffix):
                chosen.append((name, factory))
    if chosen:
        return chosen
    fallback = [(t["name"], lambda s=t.get("inputSchema"): schema_args(s)) for t in listed if isinstance(t.get("name"), str)]
    if fallback:
        log.warning("no fast-time tools on this server; calling its %d tools with arguments from their schemas", len(fallback))
    return fallback


def rest_get(host, path, token):
    request = urllib.request.Request(host + path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=DISCOVERY_TIMEOUT) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"GET {path} failed with HTTP {error.code}: {error.read().decode(errors='replace')[:300]}") from error


def mcp_post(host, server_id, token, message, session_id=""):
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": PROTOCOL_VERSION,
    }
    if session_id:
        headers["Mcp-Session-Id"] = session_id
    request = urllib.request.Request(f"{host}/servers/{server_id}/mcp", data=json.dumps(message).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=DISCOVERY_TIMEOUT) as response:
            return response.headers.get("Mcp-Session-Id", ""), response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{message['method']} failed with HTTP {error.code}: {error.read().decode(errors='replace')[:300]}") from error


def choose_server(servers):
    if isinstance(servers, dict):
        servers = servers.get("items") or servers.get("servers") or []
    enabled = [s for s in servers if isinstance(s, dict) and s.get("enabled", s.get("isActive", True))]
    if not enabled:
        raise RuntimeError("GET /v1/servers lists no enabled virtual server; register one or set benchmark.mcpServerId")
    best = max(enabled, key=lambda s: len(s.get("associatedTools") or s.get("associated_tools") or []))
    log.info("auto-detected virtual server %s (%s)", best.get("id"), best.get("name"))
    return str(best["id"])


def resolve_target(host):
    """Server id and tools for this run, from one discovery session (outside the measured requests)."""
    token = bearer_token()
    problem = token_problem(token)
    if problem:
        raise RuntimeError(problem)
    server_id = os.environ.get("MCP_SERVER_ID", "").strip() or choose_server(rest_get(host, "/v1/servers", token))
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": CLIENT_INFO},
    }
    session, content_type, text = mcp_post(host, server_id, token, init)
    reply = rpc_reply(content_type, text, 1)
    if "error" in reply:
        raise RuntimeError(f"initialize on server {server_id} failed: {reply['error']}")
    mcp_post(host, server_id, token, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    _, content_type, text = mcp_post(host, server_id, token, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session)
    reply = rpc_reply(content_type, text, 2)
    if "error" in reply:
        raise RuntimeError(f"tools/list on server {server_id} failed: {reply['error']}")
    tools = pick_tools(reply.get("result", {}).get("tools") or [])
    if not tools:
        raise RuntimeError(f"virtual server {server_id} has no tools to call")
    log.info("loading server %s with tools %s", server_id, ", ".join(sorted({name for name, _ in tools})))
    return server_id, tools


@events.test_start.add_listener
def on_test_start(environment, **_kwargs):
    # The master only coordinates; the processes that send load each resolve the target once per run.
    if isinstance(environment.runner, MasterRunner):
        return
    Target.server_id, Target.tools, Target.problem = "", [], ""
    try:
        Target.server_id, Target.tools = resolve_target((environment.host or os.environ.get("LOCUST_HOST", "")).rstrip("/"))
    except Exception as error:  # reported as a failure of every user, so the run summary shows it
        Target.problem = f"benchmark setup failed: {error}"
        log.error("%s", Target.problem)


class McpUser(FastHttpUser):
    """One MCP client: its own session, request ids and failure accounting."""

    abstract = True
    connection_timeout = 30.0
    network_timeout = 60.0
    #: Open a session when the user starts (clients that open one per cycle set this to False).
    session_on_start = True

    def on_start(self):
        self.session_id = ""
        # A stateless gateway returns no Mcp-Session-Id: the client is initialized all the same.
        self.initialized = False
        self.next_id = 0
        self.ready = bool(Target.server_id) and not Target.problem
        if not self.ready:
            # Counted once per user, so a run that cannot start shows a 100 % failure rate and the reason.
            self.environment.events.request.fire(
                request_type="SETUP",
                name="resolve target",
                response_time=0,
                response_length=0,
                exception=RuntimeError(Target.problem or "no MCP server to load"),
                context={},
            )
            return
        self.token = bearer_token()
        if self.session_on_start:
            self.open_session()

    @property
    def path(self):
        return f"/servers/{Target.server_id}/mcp"

    def headers(self):
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": PROTOCOL_VERSION,
        }
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        return headers

    def rpc(self, method, params=None, name=None):
        """One JSON-RPC request, recorded under `name`; returns its result, or None when it failed."""
        self.next_id += 1
        request_id = self.next_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        with self.client.post(self.path, data=json.dumps(message), headers=self.headers(), name=name or method, catch_response=True) as response:
            returned = response.headers.get("Mcp-Session-Id") if response.headers else None
            if returned:
                self.session_id = returned
            if response.status_code == 404 and self.session_id and method != "initialize":
                # The session expired on the gateway: count it and start a new one on the next task.
                response.failure("HTTP 404: MCP session no longer known to the gateway")
                self.session_id = ""
                self.initialized = False
                return None
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
                return None
            try:
                reply = rpc_reply(response.headers.get("Content-Type", ""), response.text or "", request_id)
            except ValueError as error:
                response.failure(f"unreadable reply: {error}")
                return None
            if "error" in reply:
                error = reply["error"] or {}
                response.failure(f"JSON-RPC error {error.get('code')}: {error.get('message')}")
                return None
            result = reply.get("result") or {}
            if method == "tools/call" and result.get("isError"):
                text = " ".join(c.get("text", "") for c in result.get("content") or [] if isinstance(c, dict))
                response.failure(f"tool error: {text[:200]}")
                return None
            response.success()
            return result

    def notify(self, method):
        message = {"jsonrpc": "2.0", "method": method}
        with self.client.post(self.path, data=json.dumps(message), headers=self.headers(), name=method, catch_response=True) as response:
            if response.status_code in (200, 202, 204):
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")

    def open_session(self):
        self.session_id = ""
        self.initialized = False
        params = {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": CLIENT_INFO}
        if self.rpc("initialize", params) is None:
            return False
        self.notify("notifications/initialized")
        self.initialized = True
        return True

    def close_session(self):
        self.initialized = False
        if not self.session_id:
            return
        # A server may refuse client-side termination with 405, and a session may already be gone: neither is a failure.
        with self.client.delete(self.path, headers=self.headers(), name="session close", catch_response=True) as response:
            if response.status_code in (200, 202, 204, 404, 405):
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
        self.session_id = ""

    def on_stop(self):
        # A client that leaves ends its session, so a run leaves no session open on the gateway.
        self.close_session()

    def ensure_session(self):
        return self.ready and (self.initialized or self.open_session())

    def call_tool(self):
        if not self.ensure_session():
            return None
        tool, arguments = random.choice(Target.tools)
        return self.rpc("tools/call", {"name": tool, "arguments": arguments()}, name=f"tools/call {tool}")

    def list_tools(self):
        if self.ensure_session():
            self.rpc("tools/list")


class AgentUser(McpUser):
    """An agent: initializes once, then mostly calls tools, sometimes re-reads the tool list."""

    weight = 10
    wait_time = between(0.05, 0.3)

    def on_start(self):
        super().on_start()
        if self.ready:
            self.list_tools()

    @task(6)
    def call(self):
        self.call_tool()

    @task(1)
    def relist(self):
        self.list_tools()


class ToolCallerUser(McpUser):
    """A heavy tool caller: tools/call in a tight loop on one session."""

    weight = 5
    wait_time = between(0.02, 0.1)

    @task
    def call(self):
        self.call_tool()


class DiscoveryUser(McpUser):
    """A client that browses the server's catalogue."""

    weight = 3
    wait_time = between(0.1, 0.5)

    @task(3)
    def tools(self):
        self.list_tools()

    @task(1)
    def resources(self):
        if self.ensure_session():
            self.rpc("resources/list")

    @task(1)
    def prompts(self):
        if self.ensure_session():
            self.rpc("prompts/list")


class SessionChurnUser(McpUser):
    """Short-lived clients: a whole session per cycle, which exercises session setup and teardown."""

    weight = 2
    wait_time = between(0.1, 0.5)

    session_on_start = False

    @task
    def cycle(self):
        if not self.ready or not self.open_session():
            return
        self.rpc("tools/list")
        self.call_tool()
        self.close_session()
