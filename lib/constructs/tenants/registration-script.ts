/**
 * The scripts of the tenant registration Job, as text. Same rules as the platform's registration: the bearer token
 * is signed from the gateway Secret in the environment (never an argument), `set -eu`, and every failure ends the
 * Job with a non-zero exit and its reason in the log.
 */

export const REGISTER_SH = 'register-tenants.sh';
export const REGISTER_PY = 'register_tenants.py';
export const SCRIPTS_DIR = '/scripts';
export const CATALOG_DIR = '/catalog';

/** The shell entry point: signs a short-lived admin token from JWT_SECRET_KEY (env), then runs the reconciler. */
export function registerShell(tokenMinutes: number): string {
  return [
    '#!/bin/sh',
    "# Registers every tenant MCP server with the gateway and removes the registrations of servers that are gone.",
    '# Any failure stops the Job with a non-zero exit and its message in the log: nothing is sent to /dev/null.',
    'set -eu',
    '# create_jwt_token signs with JWT_SECRET_KEY from the environment (the gateway Secret): no secret is ever an argument.',
    `MCPGATEWAY_BEARER_TOKEN="$(python3 -m mcpgateway.utils.create_jwt_token --username "$PLATFORM_ADMIN_EMAIL" --exp ${tokenMinutes})"`,
    'export MCPGATEWAY_BEARER_TOKEN',
    `exec python3 ${SCRIPTS_DIR}/${REGISTER_PY}`,
    '',
  ].join('\n');
}

/**
 * The reconciler: one pass over the catalog (the `*.json` files in CATALOG_DIR). Registrations it owns carry
 * OWNER_TAG; those not in the catalog any more are deleted, those whose URL or transport changed are replaced,
 * missing ones are created. Servers that are not reachable yet (their Application still syncing) are retried until
 * RETRY_SECONDS; whatever still fails is listed and the Job fails.
 */
export function registerPython(): string {
  return `"""Reconcile the gateway's registrations with the tenant catalog (see register-tenants.sh)."""
import concurrent.futures
import glob
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

GATEWAY = os.environ["GATEWAY_URL"].rstrip("/")
TOKEN = os.environ["MCPGATEWAY_BEARER_TOKEN"]
CATALOG_DIR = os.environ["CATALOG_DIR"]
OWNER_TAG = os.environ["OWNER_TAG"]
RETRY_SECONDS = int(os.environ["RETRY_SECONDS"])
PARALLELISM = int(os.environ["PARALLELISM"])


class CallError(Exception):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def log(message):
    print(f"register-tenants: {message}", flush=True)


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        GATEWAY + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        raise CallError(f"{method} {path} failed with HTTP {error.code}: {error.read().decode()[:300]}", error.code)
    except (urllib.error.URLError, OSError) as error:
        raise CallError(f"{method} {path} failed: {error}")


def wait_healthy(url, tries):
    for attempt in range(1, tries + 1):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    log(f"{url} is healthy")
                    return
        except (urllib.error.URLError, OSError) as error:
            if attempt == tries:
                raise SystemExit(f"register-tenants: {url} not healthy after {tries} tries: {error}")
        time.sleep(2)
    raise SystemExit(f"register-tenants: {url} not healthy after {tries} tries")


def list_gateways():
    """Every registration, following cursor pages (limit=0 asks for all at once where supported)."""
    found, cursor = [], None
    while True:
        query = {"limit": "0", "include_inactive": "true"}
        if cursor:
            query["cursor"] = cursor
        page = call("GET", "/v1/gateways?" + urllib.parse.urlencode(query))
        if isinstance(page, list):
            return found + page
        found += page.get("items", page.get("gateways", []))
        cursor = page.get("nextCursor") or page.get("next_cursor")
        if not cursor:
            return found


def tags_of(gateway):
    tags = gateway.get("tags") or []
    return {t if isinstance(t, str) else (t.get("id") or t.get("label") or t.get("name")) for t in tags}


def load_catalog():
    entries = {}
    files = sorted(glob.glob(os.path.join(CATALOG_DIR, "*.json")))
    if not files:
        raise SystemExit(f"register-tenants: no catalog in {CATALOG_DIR}")
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for entry in json.load(handle):
                if entry["name"] in entries:
                    raise SystemExit(f"register-tenants: {entry['name']} is in the catalog twice")
                entries[entry["name"]] = entry
    return entries


def register(entry):
    body = {
        "name": entry["name"],
        "url": entry["url"],
        "transport": entry["transport"],
        "description": f"MCP server {entry['server']} of tenant {entry['tenant']}",
        "tags": [OWNER_TAG, f"tenant-{entry['tenant']}"],
    }
    try:
        call("POST", "/v1/gateways", body)
    except CallError as error:
        if error.status == 409:
            log(f"{entry['name']} was registered meanwhile")
            return None
        return str(error)
    log(f"registered {entry['name']} at {entry['url']}")
    return None


def main():
    wait_healthy(GATEWAY + "/health", 90)
    wanted = load_catalog()
    existing = list_gateways()
    by_name = {g.get("name"): g for g in existing}
    failures = []

    for gateway in sorted(existing, key=lambda g: str(g.get("name"))):
        if OWNER_TAG in tags_of(gateway) and gateway.get("name") not in wanted:
            try:
                call("DELETE", f"/v1/gateways/{gateway['id']}")
                log(f"removed {gateway['name']}: its tenant or server is gone")
            except CallError as error:
                failures.append(f"remove {gateway['name']}: {error}")

    pending = []
    for name in sorted(wanted):
        entry, current = wanted[name], by_name.get(name)
        if current and current.get("url") == entry["url"] and str(current.get("transport", "")).upper() == entry["transport"]:
            continue
        if current:
            try:
                call("DELETE", f"/v1/gateways/{current['id']}")
                log(f"replacing {name}: its URL or transport changed")
            except CallError as error:
                failures.append(f"replace {name}: {error}")
                continue
        pending.append(entry)
    log(f"{len(wanted)} tenant servers: {len(wanted) - len(pending)} already registered, {len(pending)} to register")

    deadline = time.monotonic() + RETRY_SECONDS
    errors = {}
    while pending:
        with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLELISM) as pool:
            results = list(pool.map(register, pending))
        errors.update({e["name"]: r for e, r in zip(pending, results) if r})
        pending = [e for e, r in zip(pending, results) if r]
        if pending and time.monotonic() < deadline:
            log(f"{len(pending)} servers not registered yet (not reachable?); retrying in 10 s")
            time.sleep(10)
        elif pending:
            break
    failures += [f"register {e['name']} at {e['url']}: {errors[e['name']]}" for e in pending]

    if failures:
        for failure in failures:
            log(f"FAILED {failure}")
        raise SystemExit(f"register-tenants: {len(failures)} operations failed")
    log("every tenant server is registered")


if __name__ == "__main__":
    main()
`;
}
