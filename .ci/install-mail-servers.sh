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

# Serialize concurrent runs (two CI jobs on one host, or a re-run while the
# first one still installs): apt/dpkg locks would make the second one fail.
LOCK_FILE=/var/lock/install-mail-servers.lock
if command -v flock >/dev/null 2>&1 && [ -f "$0" ] && [ -z "${INSTALL_MAIL_SERVERS_LOCKED:-}" ]; then
  export INSTALL_MAIL_SERVERS_LOCKED=1
  exec $SUDO env INSTALL_MAIL_SERVERS_LOCKED=1 DEBIAN_FRONTEND=noninteractive flock -w 600 "$LOCK_FILE" bash "$0" "$@"
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
  # Also wait for a dpkg lock held by something else (unattended-upgrades).
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update
  $SUDO apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 \
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

# Last resort, for whatever the service manager did not stop: a system Dovecot
# master runs without `-c` or with `-c /etc/dovecot/...`. The private test
# instances always run `dovecot -F -c <tmpdir>/dovecot.conf` and are left alone.
system_dovecot_pids() {
  local pid cmd
  for pid in $(pgrep -x dovecot 2>/dev/null || true); do
    cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
    case "$cmd" in
      *" -c /etc/dovecot/"*) echo "$pid" ;;
      *" -c "*) ;;
      "") ;;
      *) echo "$pid" ;;
    esac
  done
}
pids="$(system_dovecot_pids)"
if [ -n "$pids" ]; then
  echo "install-mail-servers: stopping system dovecot (pid ${pids//$'\n'/ })"
  # shellcheck disable=SC2086
  $SUDO kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 100); do
    [ -z "$(system_dovecot_pids)" ] && break
    sleep 0.1
  done
  pids="$(system_dovecot_pids)"
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    $SUDO kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  fi
fi
if [ -n "$(system_dovecot_pids)" ]; then
  echo "install-mail-servers: a system dovecot is still running: $(system_dovecot_pids)" >&2
  exit 1
fi

if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  echo "install-mail-servers: dovecot binary not found after installation" >&2
  exit 1
fi

echo "install-mail-servers: $(/usr/sbin/dovecot --version 2>/dev/null || dovecot --version) ready; system service stopped"
