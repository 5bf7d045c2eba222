"""Start one benchmark run on the Locust master, wait for it to finish and print its summary.

Runs anywhere that can reach the master's web port: as the run Job, or inside the master itself with
`kubectl exec`. Only the standard library is used. Every problem (master unreachable, too few workers, a refused
start, no requests, too many failures) ends the process with a non-zero exit and says why.

Environment:
  LOCUST_MASTER_URL        master web UI (default http://127.0.0.1:8089)
  BENCH_USERS              concurrent users
  BENCH_SPAWN_RATE         users started per second
  BENCH_RUN_TIME           run length: 60s, 5m or 1h
  BENCH_EXPECT_WORKERS     start once this many workers are connected
  BENCH_WORKERS            workers deployed (only for the report)
  BENCH_MAX_FAILURE_RATIO  fail the run above this failure ratio (default 0.01)
  BENCH_WAIT_SECONDS       how long to wait for the master and the workers (default 300)
  BENCH_POLL_SECONDS       how often to ask the master for its state (default 5)
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ACTIVE = ("spawning", "running")


def setting(name, default=None):
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if default is None:
        fail(f"{name} is not set")
    return default


def fail(message):
    print(f"benchmark: FAILED: {message}", flush=True)
    sys.exit(1)


def say(message):
    print(f"benchmark: {message}", flush=True)


def seconds(duration):
    units = {"s": 1, "m": 60, "h": 3600}
    if len(duration) < 2 or duration[-1] not in units or not duration[:-1].isdigit():
        fail(f"BENCH_RUN_TIME must look like 60s, 5m or 1h (got {duration!r})")
    return int(duration[:-1]) * units[duration[-1]]


MASTER = setting("LOCUST_MASTER_URL", "http://127.0.0.1:8089").rstrip("/")
USERS = int(setting("BENCH_USERS"))
SPAWN_RATE = float(setting("BENCH_SPAWN_RATE"))
RUN_TIME = setting("BENCH_RUN_TIME")
RUN_SECONDS = seconds(RUN_TIME)
EXPECT_WORKERS = int(setting("BENCH_EXPECT_WORKERS", "1"))
WORKERS = int(setting("BENCH_WORKERS", str(EXPECT_WORKERS)))
MAX_FAILURE_RATIO = float(setting("BENCH_MAX_FAILURE_RATIO", "0.01"))
WAIT_SECONDS = int(setting("BENCH_WAIT_SECONDS", "300"))
POLL_SECONDS = float(setting("BENCH_POLL_SECONDS", "5"))


def http(path, form=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(MASTER + path, data=data, method="POST" if form is not None else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode())


def stats():
    return http("/stats/requests")


def connected(report):
    return [w for w in report.get("workers") or [] if w.get("state") != "missing"]


def wait_ready():
    """The master's report once it answers and enough workers are connected."""
    deadline = time.monotonic() + WAIT_SECONDS
    last = ""
    while True:
        try:
            report = stats()
            count = len(connected(report))
            if count >= EXPECT_WORKERS:
                if count < WORKERS:
                    say(f"warning: {count} of {WORKERS} workers connected; starting anyway (requests/s may be lower)")
                return report
            status = f"{count} of {EXPECT_WORKERS} required workers connected"
        except (urllib.error.URLError, OSError, ValueError) as error:
            status = f"master at {MASTER} not answering yet: {error}"
        if status != last:
            say(status)
            last = status
        if time.monotonic() > deadline:
            fail(f"gave up after {WAIT_SECONDS}s: {status}")
        time.sleep(POLL_SECONDS)


def start():
    form = {"user_count": USERS, "spawn_rate": SPAWN_RATE, "run_time": RUN_TIME}
    try:
        answer = http("/swarm", form)
    except urllib.error.HTTPError as error:
        fail(f"POST /swarm failed with HTTP {error.code}: {error.read().decode(errors='replace')[:300]}")
    if not answer.get("success"):
        fail(f"the master refused to start: {answer.get('message')}")
    say(f"started: {USERS} users at {SPAWN_RATE:g}/s for {RUN_TIME} against {answer.get('host')}")


def wait_finished():
    """The final report, once the master reports the run stopped."""
    started = time.monotonic()
    seen_active = False
    last_rps = 0.0
    while True:
        time.sleep(POLL_SECONDS)
        try:
            report = stats()
        except (urllib.error.URLError, OSError, ValueError) as error:
            fail(f"lost the master during the run: {error}")
        state = report.get("state")
        elapsed = time.monotonic() - started
        if state in ACTIVE:
            seen_active = True
            last_rps = float(report.get("total_rps") or 0.0)
            say(f"{state}: {report.get('user_count')} users, {last_rps:.1f} requests/s now, failure ratio {float(report.get('fail_ratio') or 0):.2%}")
        elif state == "stopped" and (seen_active or elapsed >= RUN_SECONDS):
            return report, last_rps
        elif not seen_active and elapsed > WAIT_SECONDS:
            fail(f"the run never became active (master state {state!r} after {WAIT_SECONDS}s)")
        if elapsed > RUN_SECONDS + WAIT_SECONDS:
            fail(f"the run did not stop within {RUN_TIME} plus {WAIT_SECONDS}s (master state {state!r})")


def summarize(report, last_rps):
    rows = report.get("stats") or []
    total = next((r for r in rows if r.get("name") == "Aggregated"), rows[-1] if rows else None)
    if not total or not total.get("num_requests"):
        fail("the run made no requests")
    requests = int(total["num_requests"])
    failures = int(total.get("num_failures") or 0)
    ratio = failures / requests
    rps = requests / RUN_SECONDS

    print("")
    print(f"{'Name':<44} {'Requests':>9} {'Failures':>9} {'Avg ms':>8} {'Median ms':>10}")
    for row in rows:
        if row is total:
            continue
        label = f"{row.get('method') or ''} {row.get('name') or ''}".strip()
        print(f"{label:<44.44} {row.get('num_requests', 0):>9} "
              f"{row.get('num_failures', 0):>9} {float(row.get('avg_response_time') or 0):>8.0f} {float(row.get('median_response_time') or 0):>10.0f}")
    errors = sorted(report.get("errors") or [], key=lambda e: -int(e.get("occurrences") or 0))
    if errors:
        print("")
        print("Errors (most frequent first):")
        for error in errors[:10]:
            print(f"  {error.get('occurrences'):>7}  {error.get('method')} {error.get('name')}: {str(error.get('error'))[:160]}")
    print("")
    print("Summary (compare with the seed's table: Users, Spawn, RPS, Avg Latency, Failures)")
    print(f"  users              {USERS}")
    print(f"  spawn rate         {SPAWN_RATE:g}/s")
    print(f"  run time           {RUN_TIME}")
    print(f"  workers            {len(connected(report))} connected of {WORKERS}")
    print(f"  requests           {requests}")
    print(f"  requests/s         {rps:.1f} (mean over the run, ramp-up included; last 10 s: {last_rps:.1f})")
    print(f"  average latency    {float(total.get('avg_response_time') or 0):.0f} ms")
    print(f"  median latency     {float(total.get('median_response_time') or 0):.0f} ms")
    print(f"  failure rate       {ratio:.2%} ({failures} of {requests})")
    print("")
    if ratio > MAX_FAILURE_RATIO:
        fail(f"failure rate {ratio:.2%} is above {MAX_FAILURE_RATIO:.2%}; see the errors above")
    say("done")


def main():
    report = wait_ready()
    if report.get("state") in ACTIVE:
        fail(f"a run is already in progress on {MASTER}; wait for it to finish (or stop it with GET /stop) and start again")
    start()
    summarize(*wait_finished())


if __name__ == "__main__":
    main()
