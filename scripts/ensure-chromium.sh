#!/usr/bin/env bash
# The dashboard tests drive Debian's Chromium through playwright-core (Playwright's own
# browser download does not work offline). Installs it when missing; CHROMIUM_PATH overrides.
set -euo pipefail
path=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$path" ] && exit 0
command -v apt-get >/dev/null || { echo "Chromium not found at $path; install it or set CHROMIUM_PATH" >&2; exit 1; }
echo "[chromium] installing Debian's chromium (about 2 minutes)"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
