#!/usr/bin/env bash
# Builds the benchmark (the workspace member bench/, not part of the published tool) in release mode and runs it;
# arguments go to the benchmark (see docs/benchmark.md):
#   scripts/bench.sh [--files 2000] [--runs 3] [--dir PATH] [--keep]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Not `cd`: a relative --dir stays relative to where the user stands.
cargo build --release --package express-harden-bench --bin bench --package express-harden --bin express-harden --manifest-path "$root/Cargo.toml"
exec "${CARGO_TARGET_DIR:-$root/target}/release/bench" "$@"
