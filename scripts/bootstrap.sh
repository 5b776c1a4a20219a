#!/usr/bin/env bash
# Installs what imchat needs to build and test, and only what is missing.
# Idempotent and quiet when there is nothing to do. Works as root or through sudo.
#   scripts/bootstrap.sh            Debian packages + third-party sources + npm
#   scripts/bootstrap.sh packages   only Debian packages
#   scripts/bootstrap.sh sources    only Debian source packages (imgui, md4c) into build/_deps
#   scripts/bootstrap.sh npm        only node_modules for the browser tests
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="${IMCHAT_DEPS_DIR:-$ROOT/build/_deps}"
what="${1:-all}"

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  emscripten
  libglfw3-dev libgl-dev libgl1-mesa-dri
  libboost-dev libssl-dev libsqlite3-dev libjwt-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libmd4c-dev
  fonts-inter fonts-jetbrains-mono fonttools
  chromium xvfb xauth python3
  clang-14 libclang-rt-14-dev
  libstb-dev dpkg-dev debian-archive-keyring ca-certificates
)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node may come from elsewhere (NodeSource bundles npm and conflicts with Debian's npm):
  # ask Debian for it only when the commands are missing.
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bootstrap: installing ${missing[*]}"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Dear ImGui and md4c must compile to wasm too, so both builds use Debian's *source*
# packages, fetched with a private apt configuration that changes nothing on the system.
fetch_source() {
  local pkg="$1" marker="$DEPS/$1.stamp"
  [ -f "$marker" ] && return 0
  local apt="$DEPS/apt"
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$DEPS/src"
  cat >"$apt/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  local opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt"
              -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt"
              -o APT::Sandbox::User="$(id -un)" -qq)
  if [ ! -f "$apt/lists.stamp" ]; then
    apt-get "${opts[@]}" update
    touch "$apt/lists.stamp"
  fi
  echo "bootstrap: fetching Debian source package $pkg"
  local work="$DEPS/src/$pkg.tmp"
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && apt-get "${opts[@]}" source --download-only "$pkg" >"$work.log" 2>&1) || true
  rm -rf "${DEPS:?}/$pkg"
  local dsc orig
  dsc="$(ls "$work"/*.dsc 2>/dev/null | head -n1)"
  orig="$(ls "$work"/*.orig.tar.* 2>/dev/null | head -n1)"
  if [ -n "$dsc" ] && dpkg-source --no-check -x "$dsc" "$work/tree" >/dev/null 2>&1; then
    mv "$work/tree" "$DEPS/$pkg"
  elif [ -n "$orig" ]; then
    # Some mirrors lack the small .debian.tar (seen for md4c 0.4.8-1); apt has already
    # checked the upstream tarball against the signed index, and we need no Debian patch.
    mkdir -p "$DEPS/$pkg"
    tar -xf "$orig" -C "$DEPS/$pkg" --strip-components=1
  else
    cat "$work.log" >&2
    echo "bootstrap: could not fetch the source package $pkg" >&2
    exit 1
  fi
  rm -rf "$work" "$work.log"
  touch "$marker"
}

install_sources() {
  fetch_source imgui
  fetch_source md4c
}

install_npm() {
  local dir="$ROOT/tests/browser"
  if [ ! -d "$dir/node_modules/playwright-core" ] ||
     [ "$dir/package.json" -nt "$dir/node_modules/.stamp" ]; then
    echo "bootstrap: npm install (playwright-core)"
    (cd "$dir" && npm install --no-audit --no-fund --silent >/dev/null)
    touch "$dir/node_modules/.stamp"
  fi
}

case "$what" in
  all) install_packages; install_sources; install_npm ;;
  packages) install_packages ;;
  sources) install_sources ;;
  npm) install_npm ;;
  *) echo "usage: $0 [all|packages|sources|npm]" >&2; exit 2 ;;
esac
