#!/bin/sh
# Mints the bearer token the Locust users send, with the gateway's own tool, so its claims are always the ones the
# gateway checks. create_jwt_token signs with JWT_SECRET_KEY from the environment (the gateway Secret): no secret is
# ever an argument, and the signing key never reaches the Locust containers, only this short-lived token.
# Any failure stops the pod with the tool's own message: no output is discarded.
set -eu
# The reader is the Locust container, a different user sharing only the pod's fsGroup: owner and group may read.
umask 027
: "${PLATFORM_ADMIN_EMAIL:?must come from the gateway ConfigMap}"
: "${TOKEN_FILE:?must name the file to write}"
: "${TOKEN_MINUTES:?must give the token lifetime in minutes}"
output="$(python3 -m mcpgateway.utils.create_jwt_token --username "$PLATFORM_ADMIN_EMAIL" --exp "$TOKEN_MINUTES")"
# The token is the last line the tool prints; anything else it may log comes before it.
token="$(printf '%s\n' "$output" | tail -n 1)"
case "$token" in
  *[!A-Za-z0-9._-]* | "" | *..*)
    echo "mint-token: create_jwt_token did not print a JWT" >&2
    exit 1
    ;;
esac
printf '%s' "$token" > "$TOKEN_FILE.tmp"
mv "$TOKEN_FILE.tmp" "$TOKEN_FILE"
echo "mint-token: token for $PLATFORM_ADMIN_EMAIL written (valid $TOKEN_MINUTES minutes)"
