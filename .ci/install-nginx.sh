#!/usr/bin/env bash
# Installs nginx from Debian's packages when it is missing, for the multi-instance tests
# (server/tests/api/cluster.rs) and bench/cluster.sh, which start their own nginx on
# loopback ports. The package's own service must not run on port 80: a policy-rc.d
# (only where none exists) keeps the package scripts from starting it, and the service
# is disabled so that it does not start at boot either. Idempotent.
set -euo pipefail

say() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# /usr/sbin is not on a normal user's PATH.
nginx_found() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }

nginx_found && exit 0
say "installing nginx from Debian's packages (its service left stopped)"
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
  trap 'as_root rm -f "$policy"' EXIT
fi
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nginx
if [ -d /run/systemd/system ]; then
  as_root systemctl disable --now nginx >/dev/null 2>&1 || true
else
  as_root update-rc.d nginx disable >/dev/null 2>&1 || true
fi
nginx_found || { echo "nginx did not install" >&2; exit 1; }
