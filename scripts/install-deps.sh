#!/usr/bin/env bash
# Installs every Debian 12 package Keel's build, tests, checks and benchmarks need.
# Idempotent: packages already present are skipped. Uses apt-get only (no other downloads).
# Run as root, or as a user with sudo.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build git pkg-config
  # libraries
  libboost-dev libboost-system-dev libsimdjson-dev nlohmann-json3-dev libyaml-cpp-dev
  libcli11-dev libfmt-dev libspdlog-dev libsqlite3-dev libpq-dev libssl-dev libxxhash-dev
  libmuparser-dev
  # keel stream --from nats:// (the NATS C client) and its tests (a JetStream server)
  libnats-dev nats-server
  # the Python package (python/): binding, headers, test runner, the .venv the build makes
  pybind11-dev python3-dev python3-pytest python3-venv
  # tests, sanitizers, fuzzing
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev libomp-dev clang-format
  curl postgresql chromium
  # peers for fixtures, acceptance checks and benchmarks
  python3 python3-xgboost libxgboost-dev xgboost python3-sklearn python3-scipy python3-pandas
  python3-flask wrk
  # distributed training (keel train --distributed, docs/distributed.md)
  openmpi-bin libopenmpi-dev
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (no sudo found)" >&2; exit 1; }
  SUDO=(sudo)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
