#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only those missing.
# Run as root (CI is); elsewhere it prints what to install and carries on.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Redis 7 for the cluster tests (several nodes); HAProxy checks the load balancer's config.
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
# Engines the bridge tests play for real (Debian puts them in /usr/games, off PATH).
[ -x /usr/games/stockfish ] || missing+=(stockfish)
[ -x /usr/games/gnuchess ] || missing+=(gnuchess)
[ -x /usr/games/gnugo ] || missing+=(gnugo)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: not root; tests that need ${missing[*]} will be skipped" >&2
    echo "system-deps: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
