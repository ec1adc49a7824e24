#!/usr/bin/env bash
# Install the Debian packages Watchtower needs to build and test, if missing.
# Works as root or with sudo. Idempotent and quiet when everything is there.
set -euo pipefail
BUILD_PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev git
  libjansson-dev libpcre2-dev libhyperscan-dev libarchive-dev libcurl4-openssl-dev
  libsqlite3-dev libmicrohttpd-dev libyaml-dev libhdf5-dev zlib1g-dev liblzma-dev
  libzstd-dev liblz4-dev libbz2-dev libssl-dev"
TEST_PKGS="python3 python3-packaging python3-jsonschema python3-numpy python3-h5py python3-onnx python3-joblib p7zip-full xz-utils bzip2 zstd zip
  git-daemon-run lighttpd fcgiwrap git-lfs chromium chromium-driver curl sqlite3"
want="$BUILD_PKGS"
if [ "${1:-}" = "--test" ]; then
  want="$BUILD_PKGS $TEST_PKGS"
  # Node.js may come from elsewhere (with its own npm); only ask Debian for
  # it when the commands are missing.
  command -v node >/dev/null || want="$want nodejs"
  command -v npm >/dev/null || want="$want npm"
fi
missing=()
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
