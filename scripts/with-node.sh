#!/usr/bin/env bash
# Runs a command inside the project's toolchain environment (Node >= 22, node_modules/.bin, Temporal CLI).
# Every npm script goes through here so that `npm start` / `npm test` use Node 24 even where the system Node is 20.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"
exec "$@"
