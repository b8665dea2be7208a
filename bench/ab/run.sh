#!/usr/bin/env bash
# A/B of the training bench between two checkouts of satfarm on the same machine, side by side:
# rounds alternate A, B, A, B… (each a fresh process, order swapped every round) so drift in the
# machine's load does not favour one side. Each checkout needs its own `npm ci`.
#   bash bench/ab/run.sh A_DIR B_DIR [ROUNDS] [bench:training flags…]
# e.g. git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci)
#      bash bench/ab/run.sh /tmp/base . 5 --backends wasm --batch 256
# Prints one JSON line per run ({side, round, samplesPerSecond}) and then the median B/A ratio.
set -euo pipefail
a=$(cd "${1:?usage: run.sh A_DIR B_DIR [ROUNDS] [flags…]}" && pwd)
b=$(cd "${2:?usage: run.sh A_DIR B_DIR [ROUNDS] [flags…]}" && pwd)
rounds=${3:-5}
shift $(($# < 3 ? $# : 3))
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--backends wasm)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
run() { # side dir round
  local speed
  speed=$(cd "$2" && npx tsx bench/training/main.ts "${flags[@]}" --rounds 1 --json 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).benchCnn.samplesPerSecond;console.log(Object.values(r)[0])})')
  echo "{\"side\":\"$1\",\"round\":$3,\"samplesPerSecond\":$speed}" | tee -a "$results"
}
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then run A "$a" "$r"; run B "$b" "$r"; else run B "$b" "$r"; run A "$a" "$r"; fi
done
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const by = (side) => rows.filter((r) => r.side === side).sort((x, y) => x.round - y.round).map((r) => r.samplesPerSecond);
const [a, b] = [by("A"), by("B")];
const ratios = b.map((v, i) => v / a[i]).sort((x, y) => x - y);
const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(JSON.stringify({ medianA: median(a), medianB: median(b), medianRatioBOverA: median(ratios), rounds: ratios.length }));
' "$results"
