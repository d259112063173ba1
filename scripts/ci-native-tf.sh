#!/usr/bin/env bash
# CI: install the native TensorFlow backend (@tensorflow/tfjs-node) from the PyPI wheel, so that
# the `ml-native` test project really runs (docs/native-tf.md, path 3). Run after `npm ci`.
# Never fails: on any problem (PyPI unreachable, no compiler, build error) CI goes on with WASM
# only, and the last line printed says why the native suite will be skipped.
#
#   NATIVE_TF_CACHE   where the wheel is kept between runs (default ~/.cache/dgascope/native-tf)
#   NATIVE_TF_SKIP=1  do not install (the native suite is then skipped)
set -uo pipefail
cd "$(dirname "$0")/.."

WHEEL=tensorflow_cpu-2.9.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
CACHE=${NATIVE_TF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dgascope/native-tf}
start=$SECONDS
export TF_CPP_MIN_LOG_LEVEL=2

log() { printf '[ci-native-tf] %s\n' "$*" >&2; }
# The one outcome line (stdout, last): .ci/run repeats it next to the test summary.
skip() {
  echo "native TensorFlow: not installed, the ml-native suite is skipped: $* ($((SECONDS - start)) s)"
  exit 0
}
apt_install() {
  local root=()
  command -v apt-get >/dev/null || return 1
  if [ "$(id -u)" -ne 0 ]; then command -v sudo >/dev/null && root=(sudo -n) || return 1; fi
  log "installing $*"
  timeout 120 "${root[@]}" apt-get update -qq >/dev/null 2>&1
  timeout 300 "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}
loads() { (cd packages/ml && timeout 60 node -e "require('@tensorflow/tfjs-node')" >/dev/null 2>&1); }

[ "${NATIVE_TF_SKIP:-0}" = 1 ] && skip "NATIVE_TF_SKIP=1"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || skip "the wheel is for Linux x86-64, this is $(uname -s)-$(uname -m)"
if loads; then
  echo "native TensorFlow: @tensorflow/tfjs-node already loads; the ml-native suite runs ($((SECONDS - start)) s)"
  exit 0
fi

# 1. the wheel (207 MB), from PyPI unless cached
wheel="$CACHE/$WHEEL"
if [ ! -s "$wheel" ]; then
  mkdir -p "$CACHE" || skip "cannot create $CACHE"
  pip=(python3 -m pip)
  if ! "${pip[@]}" --version >/dev/null 2>&1; then
    apt_install python3-pip || skip "no pip (python3 -m pip) and installing python3-pip failed"
  fi
  log "downloading tensorflow-cpu==2.9.1 from PyPI into $CACHE"
  timeout 300 "${pip[@]}" download --no-deps --only-binary=:all: --python-version 3.10 --platform manylinux2014_x86_64 \
    --disable-pip-version-check --no-input --progress-bar off -q -d "$CACHE" tensorflow-cpu==2.9.1 >&2 ||
    skip "pip download tensorflow-cpu==2.9.1 failed or timed out (PyPI unreachable?)"
  [ -s "$wheel" ] || skip "pip download did not produce $WHEEL"
  log "wheel downloaded in $((SECONDS - start)) s"
fi

# 2. build prerequisites for node-gyp (docs/native-tf.md): g++, make, python3, Node headers
missing=()
for tool in g++ make python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt_install g++ make python3 || skip "missing ${missing[*]} and installing them failed"
fi

# 3. stage the library, build and verify the addon (exit codes: docs/native-tf.md)
log "npm run native-tf -- --from $wheel"
timeout 600 node scripts/native-tf/main.mjs --from "$wheel" >&2
rc=$?
[ $rc -eq 0 ] || skip "scripts/native-tf/main.mjs failed (exit $rc$([ $rc -eq 124 ] && echo ', timed out'); its log is above)"
loads || skip "@tensorflow/tfjs-node was built but does not load"
echo "native TensorFlow: installed from the tensorflow-cpu 2.9.1 wheel; the ml-native suite runs ($((SECONDS - start)) s)"
