#!/usr/bin/env bash
# The key pair that signs update bundles: prints "KEY CERT" (two paths).
#   image/rauc-keys.sh
# A release build names its own: RAUC_KEY and RAUC_CERT (PEM files; the key never enters the
# repository or the image). Otherwise a development pair is made once, outside the repository, in
# $ROUTERD_IMAGE_CACHE/keys (default /var/cache/routerd-image/keys, root-only) and reused, so images
# built on this machine accept each other's bundles and no other machine's.
set -euo pipefail
die() { printf 'rauc-keys: %s\n' "$*" >&2; exit 1; }
if [ -n "${RAUC_KEY:-}${RAUC_CERT:-}" ]; then
  [ -r "${RAUC_KEY:-}" ] && [ -r "${RAUC_CERT:-}" ] || die "RAUC_KEY and RAUC_CERT must both name readable PEM files"
  echo "$RAUC_KEY $RAUC_CERT"
  exit 0
fi
dir=${ROUTERD_IMAGE_CACHE:-/var/cache/routerd-image}/keys
key=$dir/development.key.pem cert=$dir/development.cert.pem
if [ ! -s "$key" ] || [ ! -s "$cert" ]; then
  command -v openssl >/dev/null || die "\`openssl\` is missing: apt-get install openssl"
  install -d -m 0700 "$dir"
  # Both boards' images may be built at once (./build.sh test-image): one pair is made, under a lock,
  # and a second caller takes it rather than making another (a key and a certificate from two
  # different runs would not match).
  exec 8>"$dir/.lock"
  flock 8
fi
if [ ! -s "$key" ] || [ ! -s "$cert" ]; then
  # Self-signed, ten years: RAUC checks it at the bundle's signing time (use-bundle-signing-time),
  # so a box whose clock is still wrong at boot accepts it too.
  (umask 077 && openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 3650 \
    -subj "/O=routerd development/CN=routerd bundle signing (development, $(hostname))" \
    -keyout "$key.tmp" -out "$cert.tmp" 2>/dev/null)
  mv "$key.tmp" "$key" && mv "$cert.tmp" "$cert"
  echo "rauc-keys: made a development key pair in $dir (never committed; a release build sets RAUC_KEY/RAUC_CERT)" >&2
fi
echo "$key $cert"
