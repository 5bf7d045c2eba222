#!/usr/bin/env bash
# Installs what the real-stack test tier (test/stack/) runs: Postgres, Redis and NGINX from Debian (with Prometheus's
# promtool, which checks and evaluates the rendered alert rules in test/monitoring.test.ts), and two Python
# virtual environments in .venv-stack/ (gitignored): the ContextForge gateway at the release the stack's gateway
# image deploys, and Locust at the release of the stack's Locust image. The packages' own services are not started:
# the tier runs its own processes on loopback with temporary data folders.
set -euo pipefail
cd "$(dirname "$0")/.."

# The versions the stack deploys, read from the defaults so the tier can never test another release.
tag_of() { sed -n "s/^ *$1: { repository: '[^']*', tag: '\\([^']*\\)'.*/\\1/p" profiles/defaults.ts; }
GATEWAY_VERSION="$(tag_of gateway)"; GATEWAY_VERSION="${GATEWAY_VERSION#v}"
LOCUST_VERSION="$(tag_of locust)"
if [ -z "$GATEWAY_VERSION" ] || [ -z "$LOCUST_VERSION" ]; then
  echo "install-stack-deps: could not read the gateway and Locust image tags from profiles/defaults.ts" >&2
  exit 1
fi

have_debian_packages() {
  [ -x /usr/bin/redis-server ] && [ -x /usr/sbin/nginx ] && [ -x /usr/bin/promtool ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
if ! have_debian_packages; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # A policy-rc.d that says no keeps the packages from starting their system services.
  created_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  apt-get install -y -qq --no-install-recommends postgresql redis-server nginx prometheus python3-venv >/dev/null
  if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

venv() { # name, requirement
  local dir=".venv-stack/$1" name="${2%%[[=]*}"
  if [ -x "$dir/bin/python3" ] && "$dir/bin/python3" -m pip show "$name" 2>/dev/null | grep -qx "Version: ${2##*==}"; then
    return
  fi
  python3 -m venv "$dir"
  "$dir/bin/python3" -m pip install -q --disable-pip-version-check "$2"
}
start=$(date +%s)
venv gateway "mcp-contextforge-gateway[postgres,redis,plugins]==$GATEWAY_VERSION"
venv locust "locust==$LOCUST_VERSION"
echo "install-stack-deps: gateway $GATEWAY_VERSION and locust $LOCUST_VERSION ready in .venv-stack/ ($(( $(date +%s) - start )) s)"
