#!/bin/sh
# Builds the chat page: the typed client (clients/typescript), then the page (type-checked and
# bundled by esbuild) into OUTFILE, and checks that the bundle committed at COMMITTED is the same,
# so the chat jar can be built with Java and Maven alone. Without Node.js 20+ and npm on the PATH,
# the committed bundle is used as it is (a warning says so); under CI (CI=true) that fails instead.
# Usage: build-page.sh CLIENT_DIR OUTFILE COMMITTED   (run in the page's directory)
set -eu
client=$1
out=$2
committed=$3
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null \
  || ! npm --version >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "The chat page is built with Node.js 20 or newer and npm, not found on the PATH" >&2
    exit 1
  fi
  echo "[WARNING] Node.js 20+ and npm not found: the chat page is the committed bundle $committed, not rebuilt" >&2
  exit 0
fi
npm_ci="npm ci --no-audit --no-fund --prefer-offline --loglevel=error"
(cd "$client" && $npm_ci && npm run build --silent)
$npm_ci
npm run build --silent -- "$out"
if ! cmp -s "$out" "$committed"; then
  echo "The committed chat page $committed is not what its sources build; after a change to the page," \
    "the client or the contract, commit the new bundle: cp $out $committed" >&2
  exit 1
fi
