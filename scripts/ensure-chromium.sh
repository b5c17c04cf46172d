#!/bin/sh
# The suite's browser tests drive Debian's Chromium (never a downloaded browser build):
# install the `chromium` package when it is missing, so `npm test` works on a fresh machine.
set -e
[ -x /usr/bin/chromium ] && exit 0
echo "installing Debian's chromium for the browser tests" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
