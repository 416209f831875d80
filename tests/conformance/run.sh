#!/bin/sh
# Runs the n8n conformance files listed in FILES (paths relative to the
# corpus folder) through `sluice test`, with absolute file paths resolved
# inside FIXTURES (`sluice test --fixtures`).
# Usage: run.sh SLUICE CORPUS FILES FIXTURES
set -eu
sluice=$1 corpus=$2 list=$3 fixtures=$4
if [ ! -d "$corpus" ]; then
    echo "conformance corpus not found at $corpus" >&2
    exit 1
fi
set --
while IFS= read -r f; do
    case "$f" in ''|'#'*) continue ;; esac
    set -- "$@" "$corpus/$f"
done < "$list"
exec "$sluice" test --fixtures "$fixtures" "$@"
