#!/bin/sh
# Registers the fast-time-server with the gateway. Any failure stops the Job with a non-zero exit and its message
# in the log: nothing is sent to /dev/null.
set -eu
# create_jwt_token signs with JWT_SECRET_KEY from the environment (the gateway Secret), so no secret is ever an argument.
MCPGATEWAY_BEARER_TOKEN="$(python3 -m mcpgateway.utils.create_jwt_token --username "$PLATFORM_ADMIN_EMAIL" --exp 30)"
export MCPGATEWAY_BEARER_TOKEN
exec python3 /scripts/register.py
