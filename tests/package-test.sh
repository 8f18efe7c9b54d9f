#!/usr/bin/env bash
# The package test: packs every TaskQueue package into a local feed, checks what the packages carry,
# then builds, runs and native-AOT-publishes tests/PackageApp -- an app outside the repository that
# knows TaskQueue only through PackageReference -- against Redis.
#   usage: tests/package-test.sh WORK_DIR REDIS_CONNECTION
# Prints "package test: passed" or "package test: FAILED: <why>" and exits 0 or 1.
set -uo pipefail
cd "$(dirname "$0")/.."
work=$1; redis=$2
mkdir -p "$work"
feed="$work/feed"; app="$work/package-app"
# A version of its own, so that no package cached by an earlier run stands in for this build's.
version="$(grep -o '<Version>[^<]*' Directory.Build.props | cut -d'>' -f2)-local.$(date +%s)"
fail() { echo "package test: FAILED: $*"; exit 1; }

echo "== pack $version into $feed"
dotnet pack TaskQueue.sln -c Release -o "$feed" -p:Version="$version" -nologo -v:q -clp:ErrorsOnly >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log"; fail "dotnet pack"; }

python3 - "$feed" "$version" <<'PY' || fail "package contents"
import sys, zipfile, re, os
feed, version = sys.argv[1], sys.argv[2]
expected = ["TaskQueue", "TaskQueue.Redis", "TaskQueue.Hosting", "TaskQueue.Worker", "TaskQueue.Cli", "TaskQueue.Dashboard"]
# What each package may depend on: its own direct references, nothing pinned by this repository.
allowed = {
    "TaskQueue": {"MessagePack", "Cronos", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.DependencyInjection.Abstractions"},
    "TaskQueue.Redis": {"TaskQueue", "StackExchange.Redis"},
    "TaskQueue.Hosting": {"TaskQueue", "TaskQueue.Redis", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Options",
                          "Microsoft.Extensions.Diagnostics.HealthChecks", "Microsoft.Extensions.Logging.Abstractions"},
    "TaskQueue.Worker": {"TaskQueue", "TaskQueue.Redis", "TaskQueue.Hosting", "System.CommandLine", "Microsoft.Extensions.Hosting",
                         "Microsoft.Extensions.Logging.Console"},
    "TaskQueue.Cli": set(),  # a tool carries its dependencies
    "TaskQueue.Dashboard": {"TaskQueue"},
}
problems = []
for name in expected:
    path = os.path.join(feed, f"{name}.{version}.nupkg")
    if not os.path.exists(path):
        problems.append(f"{name}: no package"); continue
    if not os.path.exists(os.path.join(feed, f"{name}.{version}.snupkg")):
        problems.append(f"{name}: no symbols package")
    z = zipfile.ZipFile(path)
    files = z.namelist()
    nuspec = z.read(f"{name}.nuspec").decode()
    for tag in ["license", "readme", "repository", "tags", "description", "projectUrl"]:
        if f"<{tag}" not in nuspec: problems.append(f"{name}: nuspec has no <{tag}>")
    if "README.md" not in files: problems.append(f"{name}: no README.md")
    if name == "TaskQueue.Cli" and "<packageType name=\"DotnetTool\"" not in nuspec: problems.append("TaskQueue.Cli: not a .NET tool package")
    dependencies = set(re.findall(r'<dependency id="([^"]+)"', nuspec))
    if dependencies - allowed[name]: problems.append(f"{name}: unexpected dependencies {sorted(dependencies - allowed[name])}")
    if not re.search(r'<repository [^>]*commit="[0-9a-f]{40}"', nuspec): problems.append(f"{name}: no repository commit (SourceLink)")
    if name == "TaskQueue":
        if "analyzers/dotnet/cs/TaskQueue.Generator.dll" not in files: problems.append("TaskQueue: the generator is not under analyzers/dotnet/cs")
        if "TaskQueue.Generator" in nuspec: problems.append("TaskQueue: the generator is a package dependency")
    pdbs = [f for f in zipfile.ZipFile(os.path.join(feed, f"{name}.{version}.snupkg")).namelist() if f.endswith(".pdb")]
    if not pdbs: problems.append(f"{name}: the symbols package has no pdb")
    else:
        pdb = zipfile.ZipFile(os.path.join(feed, f"{name}.{version}.snupkg")).read(pdbs[0])
        if b"raw.githubusercontent.com" not in pdb: problems.append(f"{name}: the pdb has no source link")
for p in problems: print("  " + p)
print(f"  {len(expected)} packages checked" if not problems else "")
sys.exit(1 if problems else 0)
PY

rm -rf "$app"; cp -r tests/PackageApp "$app"; rm -rf "$app/bin" "$app/obj"
cat >"$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML

echo "== build and run the PackageReference-only app (JIT)"
(cd "$app" && dotnet build -c Release -p:TaskQueueVersion="$version" -nologo -v:q -clp:ErrorsOnly && dotnet run -c Release --no-build -- "$redis") >"$work/app-run.log" 2>&1 \
  || { cat "$work/app-run.log"; fail "the app (JIT) did not run its task"; }
grep -q "invoice for A-17: 4.75" "$work/app-run.log" || { cat "$work/app-run.log"; fail "the app (JIT) printed no invoice"; }
cat "$work/app-run.log"

echo "== publish it as native AOT (no warning allowed) and run it"
(cd "$app" && dotnet publish -c Release -r linux-x64 -p:TaskQueueVersion="$version" -o "$app/native" -nologo) >"$work/app-publish.log" 2>&1 \
  || { cat "$work/app-publish.log"; fail "native publish"; }
if grep -E "warning [A-Z]+[0-9]+" "$work/app-publish.log"; then fail "the native publish warned"; fi
"$app/native/PackageApp" "$redis" >"$work/app-native.log" 2>&1 || { cat "$work/app-native.log"; fail "the native app did not run its task"; }
cat "$work/app-native.log"
echo "== install the taskqueue tool from the feed and drive it against Redis"
tools="$work/tools"; tool_app="package-tool-$version"
dotnet tool install TaskQueue.Cli --version "$version" --tool-path "$tools" --add-source "$feed" >"$work/tool-install.log" 2>&1 \
  || { cat "$work/tool-install.log"; fail "dotnet tool install TaskQueue.Cli"; }
tq() { "$tools/taskqueue" --redis "$redis" --app "$tool_app" "$@"; }
host=${redis%:*}; port=${redis##*:}
redis-cli -h "$host" -p "$port" RPUSH "{tq:$tool_app:q:default}:ready" "not a message" >/dev/null || fail "redis-cli RPUSH"
out=$(tq queues) || fail "taskqueue queues exited $?"
echo "$out"
echo "$out" | grep -Eq '^default +1 ' || fail "taskqueue queues does not show the default queue with one message"
out=$(tq pending --json) || fail "taskqueue pending exited $?"
echo "$out" | python3 -c 'import json,sys; rows=json.load(sys.stdin); assert len(rows)==1 and rows[0]["id"] is None and rows[0]["error"], rows' \
  || fail "taskqueue pending --json does not show the unreadable message with its error"
tq revoke --task some.task >/dev/null || fail "taskqueue revoke"
tq restore --task some.task >/dev/null || fail "taskqueue restore"
tq restore --task some.task >/dev/null; [ $? -eq 1 ] || fail "taskqueue restore of a task not revoked should exit 1"
tq workers --json | python3 -c 'import json,sys; assert json.load(sys.stdin)==[]' || fail "taskqueue workers --json"
(cd "$work" && env -u TASKQUEUE_REDIS "$tools/taskqueue" queues >/dev/null 2>&1); [ $? -eq 2 ] || fail "taskqueue without --redis should exit 2"
redis-cli -h "$host" -p "$port" DEL "{tq:$tool_app:q:default}:ready" "{tq:$tool_app}:revoked" "{tq:$tool_app}:queues" >/dev/null
echo "package test: passed"
