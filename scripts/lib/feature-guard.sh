#!/usr/bin/env bash
# feature-guard.sh [CARGO ARGS...]: fails when the Cargo features of the brickdesk binary the
# end-to-end tests run differ from those of the binary the installers ship.
#
# Why: Cargo unifies features across everything one command builds. In a workspace build the
# emulator's DataFusion turns on features of shared crates (arrow's `chrono-tz`, hyper's
# `server`, …) that `tauri build`, which builds brickdesk alone, never sees. A feature the
# app needs but gets only that way passes every test and is missing for users (named time
# zones once formatted every TIMESTAMP as an empty cell).
#
# The installer side is asked of the Tauri CLI itself: `tauri build --runner` hands the cargo
# arguments it would use to a recorder instead of cargo. The tested side is the build command
# given as arguments (default: TESTED_APP_BUILD from common.sh, run in src-tauri/). Both are
# resolved with `cargo tree` for the target platform's linked code (normal dependencies, no
# proc-macros or build scripts), and compared package by package.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ $# -gt 0 ]; then tested=("$@"); else tested=("${TESTED_APP_BUILD[@]}"); fi

work="$(mktemp -d "${TMPDIR:-/tmp}/brickdesk-features.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The cargo command line `tauri build` runs, recorded by a runner that only writes it down.
cat >"$work/runner" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$work/installer-args"
exit 0
EOF
chmod +x "$work/runner"
(cd "$ROOT/src-tauri" && "$ROOT/ui/node_modules/.bin/tauri" build --ci --no-bundle --runner "$work/runner" \
  --config '{"build":{"beforeBuildCommand":""}}' >"$work/tauri.log" 2>&1) || true
[ -s "$work/installer-args" ] || { cat "$work/tauri.log" >&2; die "the Tauri CLI did not say how it builds brickdesk (see above)."; }
mapfile -t installer <"$work/installer-args"

# `cargo tree` arguments for a cargo build/test command line: the package selection and
# feature flags are kept; profile, targets and output options do not change features.
tree_args() {
  local sub="$1"; shift
  local edges="normal,no-proc-macro"
  [ "$sub" = "test" ] && edges="normal,dev,no-proc-macro"
  local out=(-e "$edges" --target "$(rustc -vV | awk '/^host:/{print $2}')" --prefix none --format '{p}|{f}')
  while [ $# -gt 0 ]; do
    case "$1" in
      --features|-F|-p|--package|--exclude|--manifest-path) out+=("$1" "$2"); shift 2 ;;
      --features=*|--package=*|--exclude=*|--workspace|--all|--no-default-features|--all-features) out+=("$1"); shift ;;
      --bin|--test|--example|--bench|--profile|--target-dir|--message-format|--color|-j|--jobs) shift 2 ;;
      *) shift ;;
    esac
  done
  printf '%s\n' "${out[@]}"
}

# package|features lines, one per package, for a command line run in src-tauri/.
resolve() {
  local -a args
  mapfile -t args < <(tree_args "$@")
  # A package with no features gets `-`, so that `join` can tell it from a missing package.
  (cd "$ROOT/src-tauri" && cargo tree "${args[@]}") | sed -e 's/ (\*)$//' -e 's/|$/|-/' | sort -u
}

resolve "${installer[@]}" >"$work/installer"
resolve "${tested[@]}" >"$work/tested"

# Compare the packages linked into the shipped binary (the tested build may hold more, such
# as the emulator's, which is fine).
differences="$(join -t '|' -a 1 -e '(not linked)' -o '0,1.2,2.2' "$work/installer" "$work/tested" \
  | awk -F'|' '$2 != $3 { printf "  %s\n    installer: %s\n    tested:    %s\n", $1, ($2 == "-" ? "(no features)" : $2), ($3 == "-" ? "(no features)" : $3) }')"
if [ -n "$differences" ]; then
  printf '%s\n' "$differences" >&2
  die "the brickdesk binary under test resolves other Cargo features than the installers' build (\`tauri build\`: cargo ${installer[*]}; tested: cargo ${tested[*]}). Declare every feature the app needs in its own Cargo.toml, and build the tested binary the way the installers do."
fi
say "The tested brickdesk binary has exactly the installers' Cargo features ($(wc -l <"$work/installer") packages; installers: cargo ${installer[*]})"
