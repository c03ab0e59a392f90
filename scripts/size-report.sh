#!/usr/bin/env bash
# Prints the gzipped size (gzip -9 -n, as `make widget` precompresses) of every file a page
# with the widget loads from dist/ (the loader widget.js, the glue, the wasm, any CSS file),
# their brotli size (quality 11, as browsers that accept br get them) and the totals; fails
# when the gzip total is over the budget (bytes, env SIZE_BUDGET). The manage bundle
# (dist/manage, loaded only by a booking's manage page) is reported on its own line.
set -euo pipefail
dist=${1:-dist}
budget=${SIZE_BUDGET:-110000}   # 110 KB: the widget's payload budget
[ -d "$dist" ] || { echo "size: $dist/ is missing: run make widget" >&2; exit 1; }
total=0
brotli=0
printf '%-48s %10s %10s %10s\n' "payload file" "bytes" "gzip -9" "brotli"
while IFS= read -r f; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -n -c "$f" | wc -c)
  total=$((total + gz))
  br=$(node -e 'const z = require("zlib"); const b = require("fs").readFileSync(process.argv[1]);
    process.stdout.write(String(z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length))' "$f")
  brotli=$((brotli + br))
  printf '%-48s %10d %10d %10d\n' "${f#"$dist"/}" "$raw" "$gz" "$br"
done < <(find "$dist" -path "$dist/manage" -prune -o -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) -print | sort)
awk -v t="$total" -v b="$budget" -v r="$brotli" \
  'BEGIN { printf "%-48s %10s %10d %10d  (gzip %.1f KiB; budget %.1f KiB)\n", "TOTAL", "", t, r, t / 1024, b / 1024 }'
if [ -d "$dist/manage" ]; then
  manage=0
  while IFS= read -r f; do
    manage=$((manage + $(gzip -9 -n -c "$f" | wc -c)))
  done < <(find "$dist/manage" -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) | sort)
  printf '%-48s %10s %10d  (glue, wasm and CSS of manage pages, loaded only there)\n' "manage bundle" "" "$manage"
fi
if [ "$total" -gt "$budget" ]; then
  echo "size: over budget by $((total - budget)) bytes" >&2
  exit 1
fi
