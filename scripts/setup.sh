#!/usr/bin/env bash
# Installs what flexedge needs, idempotently: each tool only when the wanted version is not
# already there, so a second run takes seconds.
#   scripts/setup.sh dev    Rust targets, worker-build, wasm-bindgen CLI, npm packages
#   scripts/setup.sh test   the same plus Chromium and ChromeDriver (Debian packages)
# FLEXEDGE_RELEASE_TOOLS=1 builds the cargo-installed tools in release mode (slower to
# install, a little faster to run); the default debug builds install in ~3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-dev}"

WORKER_BUILD_VERSION=0.8.7
say() { printf '[setup] %s\n' "$*"; }
have_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"; }
install_flags=(--debug)
[[ "${FLEXEDGE_RELEASE_TOOLS:-0}" == 1 ]] && install_flags=()

# Rust: rust-toolchain.toml pins the toolchain. If that exact toolchain is not installed but
# the machine's stable toolchain is that version, expose it under the pinned name the way
# these machines do (a symlink in rustup's toolchains directory: `rustup toolchain link`
# refuses version-like names); otherwise install it through rustup. Then make sure its
# target and components are in.
PINNED=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$PINNED"; then
  stable_root=$(cd / && rustup run stable rustc --print sysroot 2>/dev/null || true)
  if [[ -n "$stable_root" ]] && (cd / && rustup run stable rustc --version | grep -q "^rustc $PINNED "); then
    say "using the installed stable toolchain as $PINNED"
    ln -s "$stable_root" "$(dirname "$stable_root")/$PINNED-$(basename "$stable_root" | sed 's/^stable-//')"
  else
    say "installing Rust $PINNED"
    (cd / && rustup toolchain install "$PINNED" --profile minimal)
  fi
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for c in rustfmt clippy; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done

# worker-build (it builds the Worker's shim around the wasm module).
if ! have_version worker-build "$WORKER_BUILD_VERSION"; then
  say "installing worker-build $WORKER_BUILD_VERSION"
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked "${install_flags[@]}"
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate version in Cargo.lock.
[[ -f Cargo.lock ]] || cargo generate-lockfile
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
if ! have_version wasm-bindgen "$WB_VERSION" || ! have_version wasm-bindgen-test-runner "$WB_VERSION"; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  # No --locked: its lockfile pins a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force "${install_flags[@]}"
fi

# npm packages (wrangler, workerd, esbuild, playwright-core), pinned by package-lock.json.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.flexedge-lock && -d node_modules ]] || [[ "$(cat node_modules/.flexedge-lock 2>/dev/null)" != "$lock_hash" ]]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.flexedge-lock
fi

# Local development secrets (the dev API key); never committed.
[[ -f .dev.vars ]] || cp .dev.vars.example .dev.vars

if [[ "$what" == test ]]; then
  if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    say "installing chromium and chromium-driver"
    sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # The Python OData client of the e2e tests, pinned, in its own virtualenv.
  req_hash=$(sha256sum tests/e2e/requirements.txt | cut -d' ' -f1)
  if [[ "$(cat .venv-e2e/.flexedge-req 2>/dev/null)" != "$req_hash" ]]; then
    say "installing the e2e tests' Python packages"
    rm -rf .venv-e2e
    python3 -m venv .venv-e2e
    .venv-e2e/bin/pip install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
    echo "$req_hash" > .venv-e2e/.flexedge-req
  fi
fi
say "ready ($what)"
