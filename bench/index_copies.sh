#!/usr/bin/env bash
# Copy detection against a reference set through the CLI (issue 15), on real images:
#   references = a benchmark's originals and distractors (hard negatives included) plus every
#                image under the extra folders (e.g. all training-package images);
#   queries    = the benchmark's copies of the chosen families;
#   recall@K   = share of queries whose original is among their K nearest references.
# Prints the time to describe and add the references, the query throughput (one `index query`
# for all queries), recall@K per family, and single-query latency p50/p99 over
# SINGLE separate `index query` processes (model load included, as a one-off request pays it).
# Usage: bench/index_copies.sh BENCH_DIR METHOD [K] [SINGLE] [FAMILIES] [EXTRA_DIR...]
#   FAMILIES: comma-separated (default: crop,random_crop,rotate,rotate90,perspective,
#   scale_translate,flip_h,flip_v,paste,border,caption). Needs python3 (JSON of the query).
#   QUERY_FLAGS (environment): when set, the queries run again with these `index query` flags
#   (e.g. "--orientations"; several sets separated by ";", e.g. "--regions;--orientations
#   --regions") and the recalls are printed side by side. Every query run describes afresh
#   (--no-cache), so their times compare.
set -euo pipefail
bench=${1:?usage: bench/index_copies.sh BENCH_DIR METHOD [K] [SINGLE] [FAMILIES] [EXTRA_DIR...]}
method=${2:?method}
k=${3:-10}
single=${4:-30}
families=${5:-crop,random_crop,rotate,rotate90,perspective,scale_translate,flip_h,flip_v,paste,border,caption}
shift $(( $# < 5 ? $# : 5 ))
nd=${BUILD_DIR:-build}/neardup
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/refs" "$work/queries"
bench=$(cd "$bench" && pwd)
# References and queries as symlinks, so the CLI sees only what each side should.
python3 - "$bench" "$work" "$families" <<'PY'
import csv, os, sys
bench, work, families = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
originals, queries = {}, []
with open(os.path.join(bench, "truth.csv")) as f:
    for row in csv.DictReader(f):
        src = os.path.join(bench, "images", row["image"])
        if row["role"] in ("original", "distractor"):
            os.symlink(src, os.path.join(work, "refs", row["image"].replace("/", "_")))
            if row["role"] == "original":
                originals[row["group"]] = row["image"].replace("/", "_")
        elif row["role"] == "copy" and row["family"] in families:
            queries.append((row["image"], row["group"], row["family"]))
with open(os.path.join(work, "truth.tsv"), "w") as out:
    for image, group, family in queries:
        name = image.replace("/", "_")
        os.symlink(os.path.join(bench, "images", image), os.path.join(work, "queries", name))
        out.write(f"{name}\t{originals[group]}\t{family}\n")
PY
nq=$(wc -l < "$work/truth.tsv")
$nd index create "$work/ix" -m "$method" >/dev/null
/usr/bin/time -f "add references: %e s, %M KB peak" $nd index add "$work/ix" "$work/refs" "$@" -r -q
$nd index stats "$work/ix" | grep -E "images|faiss|bytes"
t0=$(date +%s.%N)
$nd index query "$work/ix" "$work/queries" -k "$k" --json --no-cache > "$work/hits.json"
t1=$(date +%s.%N)
echo "$nq queries in one process: $(echo "$t1 - $t0" | bc) s"
runs=("$work/hits.json")
IFS=';' read -r -a flag_sets <<< "${QUERY_FLAGS:-}"
for i in "${!flag_sets[@]}"; do
  flags=${flag_sets[$i]}
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086  # the flags are words
  $nd index query "$work/ix" "$work/queries" -k "$k" --json --no-cache $flags > "$work/hits$i.json"
  t1=$(date +%s.%N)
  echo "$nq queries in one process with $flags: $(echo "$t1 - $t0" | bc) s"
  runs+=("$work/hits$i.json")
done
python3 - "$work" "$k" "${QUERY_FLAGS:-}" "${runs[@]}" <<'PY'
import json, os, sys, collections
work, k, flags, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
truth = {}
for line in open(os.path.join(work, "truth.tsv")):
    q, o, fam = line.rstrip("\n").split("\t")
    truth[q] = (o, fam)
def recall(path):
    per = collections.defaultdict(lambda: [0, 0])
    for q in json.load(open(path))["queries"]:
        o, fam = truth[os.path.basename(q["query"])]
        per[fam][0] += any(os.path.basename(h["path"]) == o for h in q["hits"][:k])
        per[fam][1] += 1
    per["all"] = [sum(v[0] for v in per.values()), sum(v[1] for v in per.values())]
    return per
res = [recall(r) for r in runs]
head = f"recall@{k}" + ("" if len(res) == 1 else "  (plain | " + flags.replace(";", " | ") + ")")
print(head)
for fam in ["all"] + sorted(f for f in res[0] if f != "all"):
    cells = [f"{r[fam][0]:4d}/{r[fam][1]:4d} = {r[fam][0]/max(1, r[fam][1]):.3f}" for r in res]
    print(f"  {fam:18s} " + "  |  ".join(cells))
# Matches (within the method's threshold) that are neither the query's original nor the package
# file it was made from (also a reference when the packages are): a precision proxy, since a
# distractor or another package file may still be a true variant of the original.
sources = {}  # original's name -> its source file
bench = os.path.dirname(os.path.realpath(os.path.join(work, "refs", truth[next(iter(truth))][0])))
for line in open(os.path.join(os.path.dirname(bench), "transforms.jsonl")):
    t = json.loads(line)
    if t.get("role") == "original":
        sources[t["image"].replace("/", "_")] = os.path.realpath(t["source"])
def wrong(path):
    n = bad = 0
    for q in json.load(open(path))["queries"]:
        o, _ = truth[os.path.basename(q["query"])]
        for h in q["hits"][:k]:
            if h["match"]:
                n += 1
                bad += os.path.basename(h["path"]) != o and os.path.realpath(h["path"]) != sources.get(o)
    return f"{bad}/{n}"
print("  matches neither the original nor its source: " + "  |  ".join(wrong(r) for r in runs))
PY
# Single-query latency: one process per query (model load included).
ls "$work/queries" | sed -n "1,${single}p" > "$work/single.txt"
: > "$work/lat.txt"
while read -r q; do
  s=$(date +%s.%N)
  $nd index query "$work/ix" "$work/queries/$q" -k "$k" > /dev/null
  e=$(date +%s.%N)
  echo "$e - $s" | bc >> "$work/lat.txt"
done < "$work/single.txt"
sort -g "$work/lat.txt" | awk '{a[NR]=$1} END {
  p50=a[int((NR+1)*0.5)]; p99=a[(int(NR*0.99)>0?int(NR*0.99):1)];
  printf "single query (own process, %d runs): p50 %.3f s, p99 %.3f s\n", NR, p50, p99 }'
