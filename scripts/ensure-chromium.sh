#!/bin/sh
# Makes Debian's Chromium (and a CJK font, so zh-CN pages render in screenshots) available for
# the dashboard's browser test. Idempotent: installs only what is missing.
set -eu
packages=""
command -v chromium >/dev/null 2>&1 || packages="chromium"
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  packages="$packages fonts-wqy-zenhei"
fi
[ -z "$packages" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  run() { "$@"; }
else
  run() { sudo "$@"; }
fi
run apt-get update
# shellcheck disable=SC2086 # the package list is meant to split
run env DEBIAN_FRONTEND=noninteractive apt-get install -y $packages
command -v chromium >/dev/null 2>&1
