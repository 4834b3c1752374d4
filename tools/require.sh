#!/bin/sh
# Make sure a system tool is there before a make target needs it.
#
#   tools/require.sh [--optional] COMMAND "DEBIAN PACKAGES" "WHAT NEEDS IT"
#
# If COMMAND is missing: as root on a machine with apt-get, install the Debian packages;
# otherwise stop at once with one line that names the packages to install. With
# --optional (and CI unset) say so in one line and go on: the tests that need the tool
# are then skipped with a message.
set -eu
optional=
if [ "$1" = --optional ]; then optional=1; shift; fi
if [ -n "${CI:-}" ]; then optional=; fi
command="$1"; packages="$2"; needed_by="$3"
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "$needed_by needs $command: installing Debian's $packages (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
  command -v "$command" >/dev/null 2>&1 && exit 0
fi
if [ -n "$optional" ]; then
  echo "$needed_by: '$command' is not installed (Debian: apt-get install $packages); the tests that need it are skipped" >&2
  exit 0
fi
echo "$needed_by needs '$command', which is not installed: install Debian's $packages (apt-get install $packages), or the same for your system" >&2
exit 1
