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

# A software Vulkan driver (Mesa's lavapipe), so that the webgpu kernel tests find a WebGPU adapter on
# machines without a GPU. Dawn needs Mesa ≥ 23 (22.3 lacks a feature it requires), which Debian 12
# has only in bookworm-backports. Best effort: without it those tests are skipped and say why.
mesa_version() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true; }
if ! dpkg --compare-versions "$(mesa_version)" ge 23 2>/dev/null; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if [ "$codename" = bookworm ]; then
    if [ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ]; then
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        as_root tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
      apt_updated=0
    fi
    apt_install -t bookworm-backports mesa-vulkan-drivers libvulkan1 ||
      echo "ensure-services: could not install Mesa's lavapipe; the webgpu kernel tests will be skipped" >&2
  else
    apt_install mesa-vulkan-drivers libvulkan1 ||
      echo "ensure-services: could not install Mesa's lavapipe; the webgpu kernel tests will be skipped" >&2
  fi
fi
echo "ensure-services: PostgreSQL, Redis, Fashion-MNIST ($fmnist), Chromium and a software Vulkan driver ($(mesa_version)) are ready"
