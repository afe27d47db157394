#!/usr/bin/env bash
# Installs every Debian package StrataDB needs to build, test and benchmark.
# Idempotent: installs only what is missing. Runs as root, or through sudo.
# `setup.sh server` installs only what building and running the server needs.
set -euo pipefail

# What building and running the server needs (`make run` installs only these).
SERVER_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libasio-dev liburing-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libxxhash-dev liblz4-dev libzstd-dev libssl-dev libabsl-dev libcpp-httplib-dev nlohmann-json3-dev
  mariadb-client
  # small: configuring the one build tree (cmake/Dependencies.cmake) finds the test libraries
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev libmariadb-dev
)
# What the tests and benchmarks need on top (`make test`, `make bench`).
TEST_PACKAGES=(
  clang lld
  mariadb-server sysbench python3 python3-pymysql php-cli php-mysql curl prometheus fio hyperfine strace
  # peers that benchmarks run side by side
  librocksdb-dev libleveldb-dev galera-4 rsync
)

PACKAGES=("${SERVER_PACKAGES[@]}")
if [ "${1:-all}" != "server" ]; then
  PACKAGES+=("${TEST_PACKAGES[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
