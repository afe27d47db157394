#!/usr/bin/env bash
# Installs every Debian package StrataDB needs to build, test and benchmark.
# Idempotent: installs only what is missing. Runs as root, or through sudo.
# `setup.sh server` installs only what building and running the server needs.
set -euo pipefail

# What building and running the server needs (`make run` installs only these).
SERVER_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libasio-dev liburing-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libxxhash-dev liblz4-dev libzstd-dev zlib1g-dev libssl-dev libabsl-dev libcpp-httplib-dev nlohmann-json3-dev
  libnewt-dev  # the CLI's progress bar (backup, restore)
  libboost-dev # Boost.Multiprecision (header-only): DECIMAL(65) division
  libicu-dev   # collations (utf8mb4_0900_ai_ci, utf8mb4_general_ci)
  tzdata       # named time zones (SET time_zone = 'Europe/Paris', CONVERT_TZ)
  mariadb-client
  # small: configuring the one build tree (cmake/Dependencies.cmake) finds the test libraries
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev libmariadb-dev
)
# What the tests and benchmarks need on top (`make test`, `make bench`).
TEST_PACKAGES=(
  clang lld
  chromium  # the web console test (tests/node/web_console.js, puppeteer-core)
  mariadb-server sysbench python3 python3-pymysql php-cli php-mysql libdbd-mariadb-perl python3-sqlalchemy python3-django python3-mysqldb curl prometheus fio hyperfine strace
  # peers that benchmarks run side by side
  librocksdb-dev libleveldb-dev liblmdb-dev libsqlite3-dev galera-4 rsync
)

PACKAGES=("${SERVER_PACKAGES[@]}")
WITH_TESTS=0
if [ "${1:-all}" != "server" ]; then
  WITH_TESTS=1
  PACKAGES+=("${TEST_PACKAGES[@]}")
  # Node.js runs the mysql2 client tests (tests/node). A node that is already installed
  # (e.g. from NodeSource, which bundles npm) is used as it is.
  command -v node >/dev/null || PACKAGES+=(nodejs)
  command -v npm >/dev/null || PACKAGES+=(npm)
fi

# The JS test clients come from npm, pinned by tests/node/package-lock.json.
install_node_clients() {
  [ "$WITH_TESTS" = 1 ] || return 0
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/node"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in tests/node"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  install_node_clients
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
install_node_clients
