#!/usr/bin/env bash
# Installs what the tests need, then runs every check and test (the same command CI runs).
#   - Node.js and npm: the end-to-end test starts the fixed app with node and installs its packages with `npm ci`.
#   - git: the dirty-tree tests create repositories.
#   - redis-server: the session-store end-to-end test starts its own Redis on a free port.
#   - postgresql: the session-store end-to-end test with connect-pg-simple starts its own PostgreSQL server (initdb in a
#     temporary folder, a free port; as the postgres user under root), from /usr/lib/postgresql/<version>/bin. The
#     package's own cluster on port 5432, if the package starts one, is not used.
#   - chromium: end-to-end tests render the fixed apps' pages headless (--dump-dom): a cookie the page reads, and pages
#     whose inline scripts and event handlers must still run under the Content-Security-Policy.
#   - jq: the fake GitHub CLI of the pull-request workflow test filters its answers with the script's own --jq.
#   - pnpm 9 and Yarn 1 (from the npm registry, with npm): the --lockfile tests check that neither runs a program the
#     repository names (a pnpmfile, .yarnrc's yarn-path) and that Yarn 1 leaves no node_modules.
# Installing needs root: as another user, apt-get (and npm's global install into a root-owned folder) run through
# sudo. `bash scripts/test.sh --install-only` installs and stops there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs a command as root: itself when this is root, else through sudo (which asks for a password if it must).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "scripts/test.sh: '$*' needs root, and sudo is not installed: run it as root, then this script again" >&2
    exit 1
  fi
}

need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_apt+=(postgresql)
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
# tests/advisory_data.rs runs scripts/refresh-advisories.py.
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian's packages"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
need_npm=()
command -v pnpm >/dev/null 2>&1 || need_npm+=(pnpm@9)
command -v yarn >/dev/null 2>&1 || need_npm+=(yarn@1)
if [ "${#need_npm[@]}" -gt 0 ]; then
  echo "installing ${need_npm[*]} from the npm registry"
  # npm's global folder is root's unless npm was set up for the user (nvm, a prefix in ~/.npmrc).
  if [ -w "$(npm prefix --global)" ]; then
    npm install --global --no-audit --no-fund "${need_npm[@]}"
  else
    as_root npm install --global --no-audit --no-fund "${need_npm[@]}"
  fi
fi
[ "${1:-}" = --install-only ] && exit 0
postgres=$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n 1)
echo "node $(node --version), npm $(npm --version), pnpm $(pnpm --version), yarn $(yarn --version), $(git --version), $(redis-server --version | cut -d' ' -f1-3)," \
  "$("$postgres" --version), $(chromium --version 2>/dev/null)"

cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --all-targets
