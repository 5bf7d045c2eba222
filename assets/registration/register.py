"""Register the fast-time-server with the ContextForge gateway and create its virtual server.

Idempotent: an existing registration with the same URL is kept, so the Job can run on every upgrade.
Every HTTP or network error raises, so the Job fails visibly instead of reporting success.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

GATEWAY = os.environ["GATEWAY_URL"].rstrip("/")
TARGET_NAME = os.environ["TARGET_NAME"]
TARGET_URL = os.environ["TARGET_URL"]
TARGET_HEALTH = os.environ["TARGET_HEALTH_URL"]
VIRTUAL_SERVER = os.environ.get("VIRTUAL_SERVER_NAME", "")
TOKEN = os.environ["MCPGATEWAY_BEARER_TOKEN"]


def log(message):
    print(f"register: {message}", flush=True)


def wait_healthy(url, tries):
    for attempt in range(1, tries + 1):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    log(f"{url} is healthy")
                    return
        except (urllib.error.URLError, OSError) as error:
            if attempt == tries:
                raise SystemExit(f"register: {url} not healthy after {tries} tries: {error}")
        time.sleep(2)
    raise SystemExit(f"register: {url} not healthy after {tries} tries")


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        GATEWAY + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        raise SystemExit(f"register: {method} {path} failed with HTTP {error.code}: {error.read().decode()[:500]}")


def items(payload):
    return payload.get("items", []) if isinstance(payload, dict) else payload


def main():
    wait_healthy(GATEWAY + "/health", 90)
    wait_healthy(TARGET_HEALTH, 60)

    gateway = next((g for g in items(call("GET", "/v1/gateways?limit=0")) if g.get("name") == TARGET_NAME), None)
    if gateway and gateway.get("url") != TARGET_URL:
        log(f"replacing {TARGET_NAME}: its URL changed to {TARGET_URL}")
        call("DELETE", f"/v1/gateways/{gateway['id']}")
        gateway = None
    if gateway is None:
        gateway = call("POST", "/v1/gateways", {"name": TARGET_NAME, "url": TARGET_URL, "transport": "STREAMABLEHTTP"})
        log(f"registered {TARGET_NAME} at {TARGET_URL}")
    else:
        log(f"{TARGET_NAME} already registered")

    tools = []
    for _ in range(15):
        tools = [t for t in items(call("GET", "/v1/tools?limit=0")) if t.get("gatewayId", t.get("gateway_id")) == gateway["id"]]
        if tools:
            break
        time.sleep(2)
    if not tools:
        raise SystemExit(f"register: {TARGET_NAME} registered but exposes no tools after 30 s")
    log(f"{len(tools)} tools: {', '.join(sorted(t['name'] for t in tools))}")

    if VIRTUAL_SERVER:
        server = next((s for s in items(call("GET", "/v1/servers?limit=0")) if s.get("name") == VIRTUAL_SERVER), None)
        if server is None:
            # The create endpoint takes the server beside other body fields (team, visibility), so it is nested.
            server = call("POST", "/v1/servers", {"server": {
                "name": VIRTUAL_SERVER,
                "description": f"Tools of {TARGET_NAME}",
                "associated_tools": [t["id"] for t in tools],
            }})
            log(f"created virtual server {VIRTUAL_SERVER}")
        else:
            # A backend registered anew (its URL changed) has new tool ids: point the server at them.
            wanted = sorted(t["id"] for t in tools)
            # The server lists its tools by name in associatedTools and by id in associatedToolIds.
            if sorted(server.get("associatedToolIds") or server.get("associated_tool_ids") or []) != wanted:
                server = call("PUT", f"/v1/servers/{server['id']}", {"associated_tools": wanted})
                log(f"updated the tools of virtual server {VIRTUAL_SERVER}")
        log(f"virtual server {VIRTUAL_SERVER} id={server['id']}")


if __name__ == "__main__":
    main()
    sys.exit(0)
