#!/usr/bin/env bash
# Sets up, builds, and classifies the bundled example articles and comments with the bundled
# rule packs and default policy. Extra arguments go to `crible classify` (e.g. --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product crible >&2
exec .build/debug/crible classify Examples/articles Examples/comments.jsonl --fail-on never "$@"
