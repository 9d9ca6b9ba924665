#!/bin/sh
# Installs berth compose as the docker CLI's compose plugin: a symbolic link
# <dir>/docker-compose -> this checkout's bin/docker-compose, where <dir> is the argument, else
# $DOCKER_CONFIG/cli-plugins, else ~/.docker/cli-plugins. An existing docker-compose there that
# is not already berth's is kept as docker-compose.orig-<time> (printed), never overwritten.
#   sh scripts/install-compose-plugin.sh [CLI_PLUGINS_DIR]
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins}
[ -f "$root/dist/docker-compose.js" ] || { echo "dist/docker-compose.js is missing: run sh scripts/build.sh first" >&2; exit 1; }
mkdir -p "$dir"
target="$dir/docker-compose"
if [ -e "$target" ] || [ -L "$target" ]; then
  if [ "$(readlink -f "$target")" = "$root/bin/docker-compose" ]; then
    echo "$target already is berth compose"
    exit 0
  fi
  keep="$target.orig-$(date +%s)"
  mv "$target" "$keep"
  echo "kept the previous plugin as $keep"
fi
ln -s "$root/bin/docker-compose" "$target"
echo "installed $target -> $root/bin/docker-compose"
