#!/usr/bin/env bash
# Installs the real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager v1.32) for the cluster
# test tier into .envtest/ and prints that folder, the value for KUBEBUILDER_ASSETS:
#   export KUBEBUILDER_ASSETS="$(bash scripts/install-envtest.sh)"
# The binaries come from the envtest folder beside this repository (ENVTEST_SOURCE overrides it), which checks each
# against its pinned sha256. Elsewhere, controller-runtime's `setup-envtest use 1.32 -p path` gives the same layout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_dir="${ENVTEST_SOURCE:-$root/../shared/envtest}"
if [ ! -x "$source_dir/install.sh" ]; then
  echo "install-envtest: no envtest installer at $source_dir (set ENVTEST_SOURCE, or use setup-envtest)" >&2
  exit 1
fi
bash "$source_dir/install.sh" "$root/.envtest" >/dev/null
echo "$root/.envtest"
