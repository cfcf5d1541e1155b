#!/usr/bin/env bash
# Compiles and lints infra/main.bicep with the pinned Bicep compiler, then checks what the compiled
# ARM template declares (infra/tests/check_template.py). Fails on any error and on any warning:
# the compiler and the linter print warnings but still exit 0, so their output is scanned.
#
# Usage: bash infra/check.sh        (from anywhere; needs the .NET SDK and python3)
set -euo pipefail

infra="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bicep_version="0.49.2"
started=$SECONDS

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "infra/check.sh: FAILED: $*" >&2
  exit 1
}

# 1. The compiler: a NuGet package restored by a project that only downloads it.
if ! dotnet restore "$infra/tools/bicep-tools.proj" --nologo >"$tmp/restore.log" 2>&1; then
  cat "$tmp/restore.log" >&2
  fail "dotnet restore infra/tools/bicep-tools.proj (the Bicep compiler package) did not succeed"
fi

# The restore records where the package folder is (NUGET_PACKAGES or nuget.config may move it).
packages="$(python3 -c 'import json, sys; print(next(iter(json.load(open(sys.argv[1]))["packageFolders"])))' \
  "$infra/tools/obj/project.assets.json" 2>/dev/null || true)"
packages="${packages:-${NUGET_PACKAGES:-$HOME/.nuget/packages}}"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/$bicep_version/tools/bicep"
[[ -f "$bicep" ]] || fail "the Bicep compiler is not at $bicep after the restore"
[[ -x "$bicep" ]] || chmod +x "$bicep"

# Runs one Bicep command; fails showing its output if it exits non-zero or prints an error or a
# warning (compiler diagnostics such as "Warning BCP081" and linter rules alike).
run_bicep() {
  local step="$1"
  shift
  local status=0
  "$bicep" "$@" >"$tmp/$step.log" 2>&1 || status=$?
  if ((status != 0)) || grep -qE 'Warning|Error' "$tmp/$step.log"; then
    grep -E 'Warning|Error' "$tmp/$step.log" >&2 || cat "$tmp/$step.log" >&2
    fail "bicep $step reported problems (exit code $status); see the lines above"
  fi
  echo "bicep $step: no errors, no warnings"
}

echo "Bicep CLI $("$bicep" --version | sed -n 's/^Bicep CLI version \([^ ]*\).*/\1/p')"
run_bicep build build "$infra/main.bicep" --outfile "$tmp/main.json"
run_bicep lint lint "$infra/main.bicep"

# Formatting: format a copy of the .bicep files and compare (one process for all files).
mkdir "$tmp/format"
(cd "$infra" && find . -path ./tools -prune -o \( -name '*.bicep' -o -name bicepconfig.json \) -print) >"$tmp/format.list"
(cd "$infra" && tar -cf - -T "$tmp/format.list") | (cd "$tmp/format" && tar -xf -)
(cd "$tmp/format" && "$bicep" format --pattern '**/*.bicep' >"$tmp/format.log" 2>&1) ||
  { cat "$tmp/format.log" >&2; fail "bicep format could not run"; }
unformatted=0
while read -r file; do
  [[ "$file" == *.bicep ]] || continue
  if ! diff -u "$infra/$file" "$tmp/format/$file" >"$tmp/format.diff"; then
    unformatted=1
    echo "not formatted: infra/${file#./}" >&2
    head -n 20 "$tmp/format.diff" >&2
  fi
done <"$tmp/format.list"
((unformatted == 0)) ||
  fail "some .bicep files are not formatted; run: (cd infra && \"$bicep\" format --pattern '**/*.bicep')"
echo "bicep format: all files formatted"

# 2. What the template declares.
python3 "$infra/tests/check_template.py" "$tmp/main.json" "$infra/main.parameters.json" ||
  fail "the compiled template does not declare what CloneFlow needs; see the list above"

echo "infra/check.sh: OK in $((SECONDS - started)) s"
