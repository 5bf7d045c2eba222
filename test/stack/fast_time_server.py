"""A time MCP server for the stack tier, built on the official MCP Python SDK.

The stack deploys the Go fast-time-server image; its Go module cannot be fetched through the module proxy, so the
tier runs this server instead: the same two tools (get_system_time, convert_time) with the same argument names and
required arguments, answering in RFC 3339 with "Z" for a zero offset as Go's time.RFC3339 does,
over MCP Streamable HTTP at /http (the real server's path) and SSE at /sse, and a /health endpoint like the one
the stack's probes and registration use.

Usage: python fast_time_server.py PORT
"""
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import uvicorn
from mcp.server.fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import JSONResponse

def rfc3339(moment: datetime) -> str:
    """As Go formats time.RFC3339: seconds, and "Z" rather than "+00:00"."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


server = FastMCP("fast-time-server", streamable_http_path="/http", log_level="WARNING")


@server.tool()
def get_system_time(timezone: str = "UTC") -> str:
    """Current time in an IANA timezone, RFC 3339."""
    return rfc3339(datetime.now(ZoneInfo(timezone)))


@server.tool()
def convert_time(time: str, source_timezone: str, target_timezone: str) -> str:
    """Convert an RFC 3339 time from one IANA timezone to another."""
    parsed = datetime.fromisoformat(time.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(source_timezone))
    return rfc3339(parsed.astimezone(ZoneInfo(target_timezone)))


@server.custom_route("/health", methods=["GET"])
async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "healthy"})


if __name__ == "__main__":
    app = server.streamable_http_app()
    app.router.routes.extend(server.sse_app().routes)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
