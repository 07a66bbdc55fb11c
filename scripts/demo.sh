#!/usr/bin/env bash
# The main job on the samples shipped in the repo: write every kind of decision document from
# templates/examples/, take them into a fresh archive, then search it as a colleague would.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-demo-out}
diarium=${DIARIUM:-.venv/bin/diarium}
rm -rf "$out"
mkdir -p "$out/dokument"
export DIARIUM_ARCHIVE="$out/arkiv"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

for data in templates/examples/*.yaml; do
  kind=$(basename "$data" .yaml)
  step "$diarium" generate "$kind" "$data" -o "$out/dokument/$kind.docx" --pdf
done
step "$diarium" ingest "$out"/dokument/*.pdf
step "$diarium" stats
step "$diarium" search "långvarigt försörjningsstöd" --facets
step "$diarium" search 'kind:yttrande OR kind:"svar på revisionsrapport"' --sort date
step "$diarium" search "revisionsrapport" --year 2023 --json
# A hint that works when pasted into another shell: absolute paths, quoted, the archive named,
# and the id of a document that is in it.
archive=$(realpath "$DIARIUM_ARCHIVE")
program=$(realpath "$(command -v "$diarium")")
first=$("$diarium" list --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
printf '\nArkivet finns i %s. Läs ett av dokumenten:\n  %q --archive %q show %s --text\n' \
  "$archive" "$program" "$archive" "$first"
