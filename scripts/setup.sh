#!/usr/bin/env bash
# Installs what Crible needs to build on a fresh machine: PCRE2's development files and
# pkg-config (Debian/Ubuntu via apt-get, macOS via Homebrew), and on Linux the mimalloc allocator
# that the `crible` executable links (see docs/PERFORMANCE.md). Does nothing when they are there.
set -euo pipefail

# Whether the linker can find lib$1.so (the development link, not only the runtime library).
has_linkable_library() {
  local dir
  for dir in /usr/lib/"$(uname -m)"-linux-gnu /usr/lib64 /usr/lib /usr/local/lib /lib/"$(uname -m)"-linux-gnu; do
    [ -e "$dir/lib$1.so" ] && return 0
  done
  return 1
}

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libpcre2-8 2>/dev/null || missing+=(libpcre2-dev)
if [ "$(uname -s)" = Linux ] && ! has_linkable_library mimalloc; then missing+=(libmimalloc-dev); fi

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${missing[*]} with apt-get" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  elif command -v brew >/dev/null 2>&1; then
    echo "setup: installing pcre2 pkg-config with Homebrew" >&2
    brew install pcre2 pkg-config >&2
  else
    echo "setup: please install ${missing[*]} (PCRE2's and, on Linux, mimalloc's development files; pkg-config), then run this again" >&2
    exit 2
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: Swift 6 is needed (https://www.swift.org/install/)" >&2
  exit 2
fi

# An incremental build can keep object files compiled against an older layout of a struct whose
# stored properties changed (seen with Swift 6.3 after a pull: the binary crashed copying a rule
# set). When the project's own sources differ from those of the last build, all of them are
# recompiled; the dependencies' builds are kept.
# A first build (no `.build` yet) only records the sources.
cd "$(dirname "$0")/.."
stamp=.build/crible-sources.sha256
# Without a SHA-256 tool the check is skipped, not the setup.
current=$(find Sources Plugins Tests -name '*.swift' -print0 | LC_ALL=C sort -z | xargs -0 cat \
  | { sha256sum 2>/dev/null || shasum -a 256 2>/dev/null; } | cut -d' ' -f1) || current=""
if [ -n "$current" ]; then
  if [ -d .build ] && [ "$(cat "$stamp" 2>/dev/null)" != "$current" ]; then
    echo "setup: sources changed since the last build: recompiling all of Crible's modules" >&2
    find Sources Plugins Tests -name '*.swift' -exec touch {} +
  fi
  mkdir -p .build
  echo "$current" > "$stamp"
fi

