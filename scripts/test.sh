#!/usr/bin/env bash
# Sets up and runs the whole test suite: unit tests of every module, every example of every
# bundled rule file, lexicon and plugin (in all altered forms), and end-to-end CLI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test
