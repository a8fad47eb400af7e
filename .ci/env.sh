# Shared environment for the Makefile's recipes (sourced, not run).
# The build cache lives outside the checkout so that clean clones (CI) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
# wasm-opt from npm's binaryen must win over Debian's /usr/bin/wasm-opt (108), whose
# output never hydrates.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
