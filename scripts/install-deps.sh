#!/usr/bin/env bash
# Installs the Debian packages berth needs (idempotent; skips apt when all are present).
set -euo pipefail
packages=(runc iptables busybox-static tini procps util-linux bsdutils iproute2 g++ make python3 zlib1g-dev docker-registry skopeo openssl docker-compose xz-utils bzip2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
