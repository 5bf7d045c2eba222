#!/bin/sh
# Starts Locust with the bearer token the init container minted. The token travels from a file into the environment
# of the Locust process only: never an argument, so it is not visible in the pod spec or the process list.
set -eu
: "${TOKEN_FILE:?must name the minted token file}"
MCPGATEWAY_BEARER_TOKEN="$(cat "$TOKEN_FILE")"
if [ -z "$MCPGATEWAY_BEARER_TOKEN" ]; then
  echo "start: $TOKEN_FILE is empty" >&2
  exit 1
fi
export MCPGATEWAY_BEARER_TOKEN
exec locust "$@"
