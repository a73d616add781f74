#!/bin/sh
# Install what the report's browser checks and the PDF need, from Debian packages, when it is
# missing: chromium (PDF, axe-core, keyboard and screenshot checks), poppler-utils (pdftotext
# and pdftoppm), fonts-liberation (Arial-compatible metrics for the PDF) and strace (the test
# that traces a whole run for network connections). Run by
# `make test`; CI runs as root with apt. Idempotent: does nothing when all are present.
set -eu

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
{ command -v pdftoppm && command -v pdftotext; } >/dev/null 2>&1 || missing="$missing poppler-utils"
dpkg -s fonts-liberation >/dev/null 2>&1 || missing="$missing fonts-liberation"
command -v strace >/dev/null 2>&1 || missing="$missing strace"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "ensure-chromium: missing:$missing; install as root: apt-get install -y$missing" >&2
    exit 1
fi
echo "ensure-chromium: installing$missing" >&2
$as_root apt-get update -qq
# shellcheck disable=SC2086  # $missing is a list of package names
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing
