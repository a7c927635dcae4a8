#!/usr/bin/env bash
# Measures Crible and its peers (VADER, vaderSentiment-fr, textblob-fr) side by side on the
# human-labelled evaluation sets, and writes docs/EVALUATION.md and docs/evaluation.json.
#
#   scripts/eval-peers.sh                      # build Crible (release) and evaluate
#   CRIBLE_BIN=path/to/crible scripts/eval-peers.sh   # use that binary, skip setup and build
#   CRIBLE_DATASETS=dir scripts/eval-peers.sh  # datasets folder (default: ../shared/datasets)
#
# Extra arguments go to scripts/eval_peers.py (for example --only sms_spam_en --limit 200).
# The peers are installed in a virtual environment under .build/eval-venv.
set -euo pipefail
cd "$(dirname "$0")/.."

datasets="${CRIBLE_DATASETS:-../shared/datasets}"
if [ ! -d "$datasets" ]; then
  echo "eval-peers: no evaluation datasets at $datasets (set CRIBLE_DATASETS to their folder); nothing to do." >&2
  exit 0
fi

if [ -n "${CRIBLE_BIN:-}" ]; then
  crible="$CRIBLE_BIN"
else
  scripts/setup.sh
  swift build -c release --product crible >&2
  crible=.build/release/crible
fi
if [ ! -x "$crible" ]; then
  echo "eval-peers: $crible is not an executable" >&2
  exit 2
fi

. scripts/lib/python-venv.sh
peer_venv eval-peers .build/eval-venv
if [ "$python" != python3 ] && ! "$python" -c 'import vaderSentiment, vaderSentiment_fr, textblob, textblob_fr' 2>/dev/null; then
  "$python" -m pip install --quiet --disable-pip-version-check vaderSentiment==3.3.2 vaderSentiment-fr==1.3.4 textblob textblob-fr==0.2.0 >&2 \
    || echo "eval-peers: pip could not install every peer; the missing ones will be reported as not installed" >&2
fi

command="scripts/eval-peers.sh"
[ -n "${CRIBLE_DATASETS:-}" ] && command="CRIBLE_DATASETS=$CRIBLE_DATASETS $command"
[ -n "${CRIBLE_BIN:-}" ] && command="CRIBLE_BIN=$CRIBLE_BIN $command"
[ $# -gt 0 ] && command="$command $*"
export EVAL_PEERS_COMMAND="$command"

exec "$python" scripts/eval_peers.py --datasets "$datasets" --crible "$crible" --output docs/EVALUATION.md "$@"
