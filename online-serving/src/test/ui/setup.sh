#!/usr/bin/env bash
# What the catalog UI's browser tests (CatalogUiIT) need, installed when missing: Debian's chromium
# (apt-get), and playwright-core from the npm registry (package-lock.json) into the directory given
# (default: online-serving/target/ui-tests). Node.js 20 or later must be on the machine. The build
# runs this before the integration tests; .ci/run runs it too. Idempotent and quick when done.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:-$here/../../../target/ui-tests}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "ui-tests: installing Debian's chromium (apt-get install chromium) ..."
  if ! as_root apt-get install -y -q chromium >/dev/null 2>&1; then
    as_root apt-get update -q >/dev/null
    as_root apt-get install -y -q chromium >/dev/null
  fi
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ui-tests: Node.js 20+ and npm are needed (not found on PATH); on Debian: apt-get install nodejs npm" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "ui-tests: Node.js $(node --version) found; playwright-core needs 20 or later" >&2
  exit 1
fi
mkdir -p "$target"
target="$(cd "$target" && pwd)"
cp "$here/package.json" "$here/package-lock.json" "$target/"
if [ ! -d "$target/node_modules/playwright-core" ] || ! cmp -s "$here/package-lock.json" "$target/.installed-lock"; then
  echo "ui-tests: npm ci (playwright-core) into $target ..."
  (cd "$target" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$target/.installed-lock"
fi
echo "ui-tests: $(chromium --version 2>/dev/null | head -1), node $(node --version), playwright-core $(node -p "require('$target/node_modules/playwright-core/package.json').version")"
