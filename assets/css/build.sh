#!/usr/bin/env bash
# Build assets/css/app.css (minified) from assets/css/input.css with the
# Tailwind CSS CLI pinned in package.json / package-lock.json.
# Needs node + npm and access to the npm registry only on the first run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi

exec ./node_modules/.bin/tailwindcss -i input.css -o app.css --minify "$@"
