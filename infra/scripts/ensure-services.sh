#!/usr/bin/env bash
# Makes sure what satfarm's tests and demo need is on this (Debian) machine: PostgreSQL and Redis
# answering on 127.0.0.1, Debian's Fashion-MNIST files, and Debian's Chromium (the dashboard's
# browser tests drive it with playwright-core; nothing is downloaded at run time). Starts what is
# installed but stopped; installs what is missing (needs root and Debian's package lists). Safe to
# run twice.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for NAME COMMAND…: up to 30 s
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "ensure-services: $name did not come up" >&2; return 1
}

# PostgreSQL
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  have pg_ctlcluster || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
fi

# Redis (the tests keep nothing that must survive; production settings live in infra/redis/redis.conf)
if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  have redis-server || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
fi

# Fashion-MNIST, from Debian (nothing is downloaded at run time)
fmnist=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ ! -f "$fmnist/train-images-idx3-ubyte.gz" ]; then
  apt_install dataset-fashion-mnist
fi
# Chromium for the dashboard's browser tests (apps/dashboard/test/browser.test.ts)
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
echo "ensure-services: PostgreSQL, Redis, Fashion-MNIST ($fmnist) and Chromium are ready"
