#!/usr/bin/env bash
# Runs the core suites again on the Node.js major of the container image (the Dockerfile's
# NODE_IMAGE), when that is not the Node.js running here: `npm test` runs on whatever Node.js
# the machine has (20.19 or later), while production runs the image's. The parts that differ
# between majors are what these suites exercise: the request context (AsyncLocalStorage), the
# ID token's signature (WebCrypto), bcrypt's native module, the embedded database (WebAssembly),
# child processes and their signals, and a browser sign-in.
#
# The Node.js binary comes from the npm registry (package node-linux-<arch>, the official
# build), as CI can reach it; it is kept under .cache/node (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."

major=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9][0-9]*\).*/\1/p' Dockerfile)
[ -n "$major" ] || { echo "test-on-image-node: no 'ARG NODE_IMAGE=node:<major>…' line in Dockerfile" >&2; exit 1; }
if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  echo "--> npm test already ran on Node.js $major, the image's"
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "test-on-image-node: no Node.js build for $(uname -m)" >&2; exit 1 ;;
esac
dir=.cache/node/$major-$arch
node_bin=$dir/package/bin/node
if [ ! -x "$node_bin" ]; then
  echo "--> fetching Node.js $major ($arch) from the npm registry"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-$arch@$major" >/dev/null && tar xzf node-linux-*.tgz && rm node-linux-*.tgz)
fi
echo "--> core suites on Node.js $("$node_bin" --version), the image's"

# Child processes run on the same binary: Gatehouse as the tests start it (process.execPath),
# and the documented commands (`npm start` …) through PATH.
PATH=$PWD/$dir/package/bin:$PATH NODE_OPTIONS='--experimental-vm-modules --no-warnings' "$node_bin" node_modules/jest/bin/jest.js \
  src/infrastructure/observability \
  test/conformance \
  test/docs/first-ten-minutes.test.ts \
  test/integration/oidc-grants.test.ts \
  test/integration/postgres-faults.test.ts \
  test/integration/restart.test.ts \
  test/integration/job-outcome-lost.test.ts \
  test/examples/mobile-app.test.ts \
  test/browser/account.test.ts
