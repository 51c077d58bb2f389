#!/usr/bin/env bash
# Install Debian's Chromium for the dashboard's browser test (tests/ops/test_browser.py).
#
#   bash scripts/ci-chromium.sh
#
# * installs the Debian packages chromium and chromium-driver with apt-get when
#   /usr/bin/chromium is missing (needs root); returns at once when it is there;
# * never downloads a browser build of its own (Playwright drives this one).
#
# Everything goes to stderr.
set -euo pipefail

log() { echo "ci-chromium: $*" >&2; }

if [ -x /usr/bin/chromium ]; then
    log "$(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    log "not root: cannot install chromium (the browser test will be skipped)"
    exit 0
fi
log "installing chromium and chromium-driver (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
