#!/usr/bin/env bash
# Measures Crible's throughput next to Hyperscan, pyahocorasick, Python's re and vaderSentiment-fr,
# on the same documents and keywords, and prints one table.
#
#   scripts/bench-peers.sh                                  # build Crible (release) and measure
#   CRIBLE_BIN=path/to/crible scripts/bench-peers.sh        # use that binary, skip setup and build
#   scripts/bench-peers.sh --megabytes 4 --repetitions 3 --output bench.md --json bench.json
#
# Extra arguments go to scripts/bench_peers.py (--megabytes, default 16; --repetitions, default 5;
# --output FILE.md; --json FILE.json; --corpus DIR, default ../shared/corpus; --help for the rest).
# The peers are installed, at pinned versions, in a virtual environment under .build/bench-venv.
# The batch and the keywords are written to .build/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned peers; a change here is a change of what the table measures.
peers=(hyperscan==0.9.1 pyahocorasick==2.3.1 vaderSentiment-fr==1.3.4)

if [ -n "${CRIBLE_BIN:-}" ]; then
  crible="$CRIBLE_BIN"
else
  scripts/setup.sh
  echo "bench-peers: building crible (release)" >&2
  swift build -c release --product crible >&2
  crible=.build/release/crible
fi
if [ ! -x "$crible" ]; then
  echo "bench-peers: $crible is not an executable (set CRIBLE_BIN, or unset it to build crible)" >&2
  exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "bench-peers: python3 is needed to run the peers (on Debian/Ubuntu: apt-get install python3)" >&2
  exit 2
fi

venv=.build/bench-venv
. scripts/lib/python-venv.sh
peer_venv bench-peers "$venv"

# Installs the pinned peers that are missing or at another version; one that pip cannot install
# is named in BENCH_PEERS_PIP_FAILED, and its rows say "not run".
failed=()
if [ "$python" != python3 ]; then
  missing=()
  for spec in "${peers[@]}"; do
    if ! "$python" - "$spec" >/dev/null 2>&1 <<'PY'
import importlib.metadata, sys
name, version = sys.argv[1].split("==")
sys.exit(0 if importlib.metadata.version(name) == version else 1)
PY
    then
      missing+=("$spec")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench-peers: installing ${missing[*]} into $venv" >&2
    if ! "$python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2; then
      # One at a time, so that one package that cannot be installed does not stop the others.
      for spec in "${missing[@]}"; do
        if ! "$python" -m pip install --quiet --disable-pip-version-check "$spec" >&2; then
          echo "bench-peers: pip could not install $spec; its rows will say \"not run\"" >&2
          failed+=("${spec%%==*}")
        fi
      done
    fi
  fi
else
  for spec in "${peers[@]}"; do failed+=("${spec%%==*}"); done
fi
export BENCH_PEERS_PIP_FAILED="${failed[*]:-}"

command="scripts/bench-peers.sh"
[ -n "${CRIBLE_RULES:-}" ] && command="CRIBLE_RULES=$CRIBLE_RULES $command"
[ -n "${CRIBLE_BIN:-}" ] && command="CRIBLE_BIN=$CRIBLE_BIN $command"
[ $# -gt 0 ] && command="$command $*"
export BENCH_PEERS_COMMAND="$command"

exec "$python" scripts/bench_peers.py --crible "$crible" "$@"
