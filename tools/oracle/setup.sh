#!/usr/bin/env bash
# Creates tools/oracle/.venv with exactly the packages of requirements.txt, once per version of that file.
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
STAMP="$VENV/.requirements.sha256"
WANT=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$VENV/bin/dbt" ]; then
  exit 0
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r requirements.txt
"$VENV/bin/pip" check
echo "$WANT" > "$STAMP"
