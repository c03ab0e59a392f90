#!/usr/bin/env bash
# The widget's release linker (the Makefile's WIDGET_ENV): rust-lld, without the JavaScript
# classes of wasm-streams, which leptos links through server_fn and no page uses. Their
# exports would keep their code and every closure it makes alive (the closures sit in the
# function table, which no later pass can prune); scripts/unexport.mjs then drops their
# descriptions, so that wasm-bindgen does not look for them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lld="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld"
unused='^(__wbg_)?intounderlying'
# rustc may pass the arguments in a response file (one a line) when they are many.
if [[ $# -eq 1 && $1 == @* ]]; then
  mapfile -t given <"${1#@}"
else
  given=("$@")
fi
args=()
out=
for ((i = 0; i < ${#given[@]}; i++)); do
  arg=${given[i]}
  next=${given[i + 1]:-}
  if [[ $arg == --export && $next =~ $unused ]] || [[ $arg =~ ^--export=${unused#^} ]]; then
    [[ $arg == --export ]] && i=$((i + 1))
    continue
  fi
  [[ $arg == -o ]] && out=$next
  args+=("$arg")
done
[[ ${args[0]:-} == -flavor ]] || args=(-flavor wasm "${args[@]}")
"$lld" "${args[@]}"
node "$here/unexport.mjs" "$out"
