#!/usr/bin/env bash
# Format every C file of the project with clang-format and the tree's
# .clang-format, or, with --check, fail listing the files that differ
# (scripts/test.sh runs the check first). clang-format 14 (Debian 12's) is the
# reference: other versions may format a few constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ "${1:-}" = "--check" ]; then
    bad=()
    for f in "${files[@]}"; do
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if [ ${#bad[@]} -gt 0 ]; then
        echo "not formatted (run scripts/format.sh):" >&2
        printf '  %s\n' "${bad[@]}" >&2
        exit 1
    fi
    echo "format: ${#files[@]} files as .clang-format says"
else
    clang-format -i "${files[@]}"
fi
