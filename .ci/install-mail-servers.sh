#!/usr/bin/env bash
# Installs the mail servers the integration tests need (Dovecot IMAP) on Debian.
#
# - Idempotent: runs `apt-get update` only when a package is missing, and does
#   nothing but the service clean-up when everything is already installed.
# - Non-interactive: works as root without a TTY (CI containers).
# - The Debian package starts a system-wide Dovecot bound to port 143/993.
#   The tests never use it (each test file starts a private instance on a free
#   loopback port, see test/helpers/dovecot.ts), so it is stopped and disabled.
#
# The SMTP side needs no system package: tests use the `smtp-server` npm package.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(dovecot-imapd)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -E"
  else
    echo "install-mail-servers: must run as root (or with sudo available)" >&2
    exit 1
  fi
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-mail-servers: installing ${missing[*]}"
  # Keep the package from starting its service during installation when no
  # policy is in place yet (containers without systemd usually have none).
  policy_created=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    policy_created=1
  fi
  cleanup_policy() {
    if [ "$policy_created" -eq 1 ]; then
      $SUDO rm -f /usr/sbin/policy-rc.d
    fi
  }
  trap cleanup_policy EXIT
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"
  cleanup_policy
  policy_created=0
else
  echo "install-mail-servers: ${PACKAGES[*]} already installed"
fi

# Make sure no system Dovecot keeps running (it would hold ports 143/993 and is
# useless to the tests). Every command may legitimately fail: no systemd in the
# container, service already stopped, and so on.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl stop dovecot.service dovecot.socket >/dev/null 2>&1 || true
  $SUDO systemctl disable dovecot.service dovecot.socket >/dev/null 2>&1 || true
fi
$SUDO service dovecot stop >/dev/null 2>&1 || true
if command -v update-rc.d >/dev/null 2>&1; then
  $SUDO update-rc.d dovecot disable >/dev/null 2>&1 || true
fi

# Last resort: a system Dovecot is one whose master runs with the default
# config (/etc/dovecot/dovecot.conf), i.e. without `-c`. The private test
# instances always pass `-c <tmpdir>/dovecot.conf` and are left alone.
if [ -f /run/dovecot/master.pid ]; then
  pid="$(cat /run/dovecot/master.pid 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "install-mail-servers: stopping system dovecot (pid $pid)"
    $SUDO kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      $SUDO kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
fi

if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  echo "install-mail-servers: dovecot binary not found after installation" >&2
  exit 1
fi

echo "install-mail-servers: $(/usr/sbin/dovecot --version 2>/dev/null || dovecot --version) ready; system service stopped"
