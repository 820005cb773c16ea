#!/usr/bin/env bash
# Builds the npm packages as tarballs in OUTDIR (created if missing), at the version of Cargo.toml:
#   express-harden-VERSION.tgz                      the launcher (npm/express-harden: a Node script, no dependencies),
#                                                   whose optionalDependencies name every platform package
#   express-harden-<os>-<cpu>[-musl]-VERSION.tgz    the platform package with the native binary
#
#   scripts/npm-package.sh [--binary PATH] [--target TRIPLE] [--platform-only | --launcher-only] OUTDIR
#
#   --binary PATH      the binary to package (default: built with `cargo build --release --locked`, for --target if
#                      given)
#   --target TRIPLE    the Rust target the binary is for, which picks its platform package from
#                      npm/express-harden/platforms.json (default: this machine's OS, CPU and C library, found the
#                      way the launcher finds them)
#   --platform-only    build the platform package only (the release workflow's job for each target)
#   --launcher-only    build the launcher only (no binary needed: the release workflow builds it once)
#
# The tarballs are what `npm publish` uploads (docs/release.md); tests/npm_package.rs installs them offline.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

binary="" target="" platform_only=false launcher_only=false outdir=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --target) target=${2:?--target needs a Rust target triple}; shift 2 ;;
    --platform-only) platform_only=true; shift ;;
    --launcher-only) launcher_only=true; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "npm-package.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$outdir" ] || { echo "npm-package.sh: one OUTDIR only" >&2; exit 2; }; outdir=$1; shift ;;
  esac
done
usage="usage: scripts/npm-package.sh [--binary PATH] [--target TRIPLE] [--platform-only | --launcher-only] OUTDIR"
[ -n "$outdir" ] || { echo "$usage" >&2; exit 2; }
! { $platform_only && $launcher_only; } || { echo "$usage" >&2; exit 2; }
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
  || { echo "npm-package.sh: node and npm are needed (scripts/test.sh installs them)" >&2; exit 1; }
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# The version: the [package] section's, the first `version =` line of Cargo.toml.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
[ -n "$version" ] || { echo "npm-package.sh: no version in Cargo.toml" >&2; exit 1; }

launcher="$root/npm/express-harden"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

# The platform package for --target (or this machine): prints its tarball.
platform_package() {
  # The platform entry (JSON) for --target, or for this machine.
  entry=$(TARGET="$target" node -e '
    const platforms = require(process.argv[1] + "/platforms.json");
    const target = process.env.TARGET;
    const entry = target ? platforms.find((p) => p.target === target) : require(process.argv[1] + "/bin/express-harden.js").platform().entry;
    if (!entry) { console.error(`npm-package.sh: no platform package for ${target || "this machine"} in npm/express-harden/platforms.json`); process.exit(1); }
    console.log(JSON.stringify(entry));
  ' "$launcher")

  if [ -z "$binary" ]; then
    name=$(node -e 'console.log(JSON.parse(process.argv[1]).binary)' "$entry")
    if [ -n "$target" ]; then
      (cd "$root" && cargo build --release --locked -p express-harden --bin express-harden --target "$target")
      binary="$root/target/$target/release/$name"
    else
      (cd "$root" && cargo build --release --locked -p express-harden --bin express-harden)
      binary="$root/target/release/$name"
    fi
  fi
  [ -f "$binary" ] || { echo "npm-package.sh: no binary at $binary" >&2; exit 1; }

  # The platform package: the binary, its package.json (os, cpu and libc tell npm where to install it), the licence.
  mkdir -p "$staging/platform"
  node -e '
    const [entry, version, file] = process.argv.slice(1);
    const p = JSON.parse(entry);
    const launcher = require(file);
    const manifest = {
      name: p.package,
      version,
      description: `The express-harden binary for ${p.os} ${p.cpu}${p.libc ? ` (${p.libc})` : ""}: install express-harden, which depends on it`,
      homepage: launcher.homepage,
      repository: launcher.repository,
      license: launcher.license,
      os: [p.os],
      cpu: [p.cpu],
      ...(p.libc ? { libc: [p.libc] } : {}),
      files: [p.binary],
      preferUnplugged: true,
    };
    process.stdout.write(JSON.stringify(manifest, null, 2) + "\n");
  ' "$entry" "$version" "$launcher/package.json" >"$staging/platform/package.json"
  binary_name=$(node -e 'console.log(JSON.parse(process.argv[1]).binary)' "$entry")
  cp "$binary" "$staging/platform/$binary_name"
  chmod 755 "$staging/platform/$binary_name"
  cp "$root/LICENSE" "$staging/platform/LICENSE"
  (cd "$staging/platform" && npm pack --silent --pack-destination "$outdir" >/dev/null)
  package=$(node -e 'console.log(JSON.parse(process.argv[1]).package)' "$entry")
  tarball="$(echo "${package#@}" | tr / -)-$version.tgz"
  echo "$outdir/$tarball"
}
$launcher_only || platform_package
$platform_only && exit 0

# The launcher: the script, the platform table, its package.json with the version and every platform package as an
# optional dependency at exactly that version, the npm README and the licence.
mkdir -p "$staging/launcher/bin"
cp "$launcher/bin/express-harden.js" "$staging/launcher/bin/"
chmod 755 "$staging/launcher/bin/express-harden.js"
cp "$launcher/platforms.json" "$launcher/README.md" "$staging/launcher/"
cp "$root/LICENSE" "$staging/launcher/LICENSE"
node -e '
  const [file, version] = process.argv.slice(1);
  const manifest = require(file);
  const platforms = require(require("node:path").dirname(file) + "/platforms.json");
  manifest.version = version;
  manifest.optionalDependencies = Object.fromEntries(platforms.map((p) => [p.package, version]));
  process.stdout.write(JSON.stringify(manifest, null, 2) + "\n");
' "$launcher/package.json" "$version" >"$staging/launcher/package.json"
(cd "$staging/launcher" && npm pack --silent --pack-destination "$outdir" >/dev/null)
echo "$outdir/express-harden-$version.tgz"
