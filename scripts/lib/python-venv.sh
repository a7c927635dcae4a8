# Sourced by the scripts that run Python peers next to Crible (eval-peers.sh, bench-peers.sh).
#
#   peer_venv TAG DIR    sets $python to DIR's interpreter, creating the virtual environment (and
#                        installing Debian's python3-venv with apt-get when Python lacks venv or
#                        ensurepip); falls back to python3, with a message tagged TAG, when it cannot.

peer_venv() {
  local tag=$1 venv=$2
  python="$venv/bin/python"
  [ -x "$python" ] && return 0
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      local sudo=""
      [ "$(id -u)" -ne 0 ] && sudo="sudo"
      echo "$tag: installing python3-venv with apt-get" >&2
      $sudo apt-get update -qq >&2 || true
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >&2 \
        || echo "$tag: apt-get could not install python3-venv" >&2
    else
      echo "$tag: Python's venv module is missing; please install it (python3-venv)" >&2
    fi
  fi
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" >&2; then
    echo "$tag: could not create $venv; continuing with python3, peers that are not installed will be reported as such" >&2
    rm -rf "$venv"
    python=python3
  fi
}
