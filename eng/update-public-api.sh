#!/usr/bin/env bash
# Records the public API of the packaged libraries in their PublicAPI.Unshipped.txt, from what the
# PublicApiAnalyzers report (RS0016: a public symbol not recorded; RS0017: a recorded one that is
# gone). Run it after changing a public API on purpose, and review the diff: the build fails on any
# public change that these files do not record.
set -euo pipefail
cd "$(dirname "$0")/.."
projects=(src/TaskQueue src/TaskQueue.Redis src/TaskQueue.Hosting src/TaskQueue.Worker src/TaskQueue.Cli src/TaskQueue.Dashboard)
for project in "${projects[@]}"; do
  for file in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$project/$file" ] || echo "#nullable enable" >"$project/$file"
  done
done
for round in 1 2 3; do
  log=$(mktemp)
  for project in "${projects[@]}"; do
    dotnet build "$project" -nologo -v:q -clp:NoSummary --no-incremental -p:BuildProjectReferences=false 2>&1 | grep -E "RS001[67]" >>"$log" || true
  done
  [ -s "$log" ] || { rm -f "$log"; echo "public API files are up to date"; exit 0; }
  python3 - "$log" <<'PY'
import re, sys, collections
added, removed = collections.defaultdict(set), collections.defaultdict(set)
for line in open(sys.argv[1]):
    m = re.search(r"^(.*/src/[^/]+)/.*(RS001[67]): Symbol '(.*)' is (not part of|part of) the declared", line)
    if not m:
        continue
    project, rule, symbol = m.group(1), m.group(2), m.group(3)
    (added if rule == "RS0016" else removed)[project].add(symbol)
for project in set(added) | set(removed):
    path = project + "/PublicAPI.Unshipped.txt"
    lines = [l.rstrip("\n") for l in open(path)]
    body = [l for l in lines[1:] if l and l not in removed[project]] + sorted(added[project])
    open(path, "w").write("#nullable enable\n" + "\n".join(sorted(set(body))) + "\n")
    print(f"{path}: +{len(added[project])} -{len(removed[project])}")
PY
  rm -f "$log"
done
echo "public API files still differ after three rounds"; exit 1
