#!/usr/bin/env bash
# Prints the gzipped size (gzip -9) of every file a page with the widget loads from dist/
# (the loader widget.js, the glue, the wasm, the page CSS) and
# their total; fails when the total is over the budget (bytes, env SIZE_BUDGET).
set -euo pipefail
dist=${1:-dist}
budget=${SIZE_BUDGET:-112640}   # 110 KiB
[ -d "$dist" ] || { echo "size: $dist/ is missing: run make widget" >&2; exit 1; }
total=0
printf '%-48s %10s %10s\n' "payload file" "bytes" "gzip -9"
while IFS= read -r f; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  printf '%-48s %10d %10d\n' "${f#"$dist"/}" "$raw" "$gz"
done < <(find "$dist" -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) | sort)
awk -v t="$total" -v b="$budget" \
  'BEGIN { printf "%-48s %10s %10d  (%.1f KiB; budget %.1f KiB)\n", "TOTAL", "", t, t / 1024, b / 1024 }'
if [ "$total" -gt "$budget" ]; then
  echo "size: over budget by $((total - budget)) bytes" >&2
  exit 1
fi
