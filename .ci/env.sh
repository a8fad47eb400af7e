# Shared environment for the Makefile's recipes (sourced, not run).
# The build cache lives outside the checkout so that clean clones (CI) reuse it. Every
# checkout shares its artifacts, and cargo judges them fresh by file times: a file
# edited here before another checkout's build started is taken as built. Touch the
# file (or run cargo again after that build) when the two overlap.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
# wasm-opt from npm's binaryen must win over Debian's /usr/bin/wasm-opt (108), whose
# output never hydrates.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
