# Shared by scripts/run.sh and scripts/test.sh: prerequisite checks and installs.
# Sourced, not executed. Every check either fixes the problem (apt as root, npm ci,
# cargo install) or stops with the exact command to run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TAURI_DRIVER_VERSION="2.1.0"
MIN_NODE_MAJOR=20
MIN_RUST="1.94"

# Debian/Ubuntu packages needed to build and run the app.
APT_BUILD=(build-essential pkg-config file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev librsvg2-dev)
# Extra packages for the tests: a virtual display, WebDriver for WebKitGTK, D-Bus tools and a
# Secret Service keyring (and secret-tool to inspect it), ImageMagick for window screenshots,
# curl for the stand-in browser of the sign-in tests, xdg-utils and desktop-file-utils for the
# installed-package test (xdg-open, update-desktop-database).
APT_TEST=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools imagemagick curl xdg-utils desktop-file-utils)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

version_ge() { # version_ge A B: true when A >= B (dotted numbers)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

require_toolchains() {
  command -v cargo >/dev/null 2>&1 || die "Rust is not installed. Install it from https://rustup.rs (Rust ${MIN_RUST} or newer), then run this again."
  local rust; rust="$(rustc --version | awk '{print $2}')"
  version_ge "$rust" "$MIN_RUST" || die "Rust ${rust} is too old; Brickdesk needs ${MIN_RUST} or newer. Run: rustup update stable"
  command -v node >/dev/null 2>&1 || die "Node.js is not installed. Install Node.js ${MIN_NODE_MAJOR} or newer (https://nodejs.org or your package manager), then run this again."
  local node_major; node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge "$MIN_NODE_MAJOR" ] || die "Node.js $(node --version) is too old; Brickdesk needs ${MIN_NODE_MAJOR} or newer."
  command -v npm >/dev/null 2>&1 || die "npm is missing (it normally comes with Node.js). Install it, then run this again."
}

# ensure_apt_packages PKG...: installs missing Debian packages when root, otherwise prints the
# exact apt line. On other systems it checks for WebKitGTK through pkg-config instead.
ensure_apt_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    pkg-config --exists webkit2gtk-4.1 2>/dev/null || die "WebKitGTK 4.1 development files were not found. On non-Debian Linux install webkit2gtk-4.1 (devel), xdotool, librsvg and, for tests, Xvfb, WebKitWebDriver and gnome-keyring; see README, Prerequisites."
    return 0
  fi
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed; check the network or the apt sources."
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install failed for: ${missing[*]}"
  else
    die "Missing system packages: ${missing[*]}
Install them with:
  sudo apt-get install -y ${missing[*]}
then run this again."
  fi
}

# The locked packages other than optional ones, one `path@version` a line.
locked_packages() {
  node -e 'const l = require(process.argv[1]);
    for (const [p, v] of Object.entries(l.packages)) if (!v.optional) console.log(`${p}@${v.version}`);' "$1" | sort
}

# `npm install` rather than `npm ci`: it installs exactly the locked versions too, but does not
# insist that the lock lists every other platform's optional native packages (esbuild/rollup),
# which registry mirrors often lack. The scripts check afterwards that the lock is unchanged.
ensure_ui_deps() {
  local ui="$ROOT/ui"
  if [ ! -d "$ui/node_modules" ] || [ "$ui/package-lock.json" -nt "$ui/node_modules/.package-lock.json" ]; then
    say "Installing UI packages (npm install, locked versions)"
    local saved; saved="$(mktemp)"
    cp "$ui/package-lock.json" "$saved"
    local before; before="$(locked_packages "$ui/package-lock.json")"
    (cd "$ui" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed in ui/; check that the npm registry is reachable."
    [ "$before" = "$(locked_packages "$ui/package-lock.json")" ] || die "npm changed ui/package-lock.json: package.json and the lock disagree. Commit the updated lock if the change was intended."
    # Only other platforms' optional packages may differ (mirrors vary): keep the committed lock.
    cp "$saved" "$ui/package-lock.json" && rm -f "$saved"
    touch "$ui/node_modules/.package-lock.json"
  fi
}

build_ui() {
  say "Building the UI"
  (cd "$ROOT/ui" && npm run --silent build) || die "the UI build failed (see above)."
}

ensure_tauri_driver() {
  local bin="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
  if [ -x "$bin" ] && "$bin" --help 2>&1 | grep -q -- '--native-driver' \
     && [ "$(cargo install --list | awk '/^tauri-driver /{print $2}')" = "v${TAURI_DRIVER_VERSION}:" ]; then
    return 0
  fi
  say "Installing tauri-driver ${TAURI_DRIVER_VERSION} (cargo install)"
  cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION" --quiet \
    || die "cargo install tauri-driver failed; check that crates.io is reachable."
}

# How the brickdesk binary that the end-to-end tests, the .deb test and the demo run is built,
# in src-tauri/: the cargo command `tauri build` runs for the installers, without --release,
# so it resolves exactly the installers' features (feature-guard.sh checks that). Built on
# its own, never together with the emulator, whose dependencies would add features.
TESTED_APP_BUILD=(build --bins --features tauri/custom-protocol)

build_app() {
  say "Building Brickdesk as the installers build it, then the emulator"
  (cd "$ROOT/src-tauri" && cargo "${TESTED_APP_BUILD[@]}" --quiet) || die "cargo build failed (see above)."
  (cd "$ROOT" && cargo build --quiet -p brickdesk-emulator) || die "cargo build failed (see above)."
}
