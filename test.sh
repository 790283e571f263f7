#!/usr/bin/env bash
# Runs every test. Installs what the tests need when it is missing (redis-server and chromium with apt-get, which needs
# root or sudo; garnet-server as a dotnet tool into .tools/, which does not), builds the solution, runs each test
# project, and prints a closing line "N passed, N failed" counted from the test results. Nothing is skipped: a test whose
# server could not be installed fails and says what to install.
#
# Progress: each project as it starts and how long it took; each test as it finishes (console logger); a line every
# minute for a test still running (xUnit's long-running-test notice); Package.Tests also prints each dotnet step (pack,
# add package, build, run) as it starts and ends. At the end: the slowest test classes, from the results files, which
# are kept in TestResults/test.sh/ (one .trx per project).
set -uo pipefail
cd "$(dirname "$0")"

status=0
started=$SECONDS

# Debian packages the tests need: redis-server (the Redis tests start their own on a free loopback port) and chromium
# (the HTML report test renders in headless Chromium). apt-get needs root: as root it runs directly, otherwise through
# sudo (which may ask for a password). Without either, say what to run and go on: the tests that need them will fail.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = "none" ]; then
    echo "!! missing: ${missing[*]}. Installing them needs root: run \`sudo apt-get install -y ${missing[*]}\` as a user who can."
    echo "!! The tests that need them will fail (they never skip)."
  else
    echo "== installing what the tests need: ${missing[*]} (${SUDO:+sudo }apt-get) =="
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    for tool in "${missing[@]}"; do
      command -v "$tool" >/dev/null 2>&1 || echo "!! could not install $tool (\`apt-get install -y $tool\` failed): the tests that need it will fail."
    done
  fi
fi

# Garnet (Redis-protocol server with vector sets) for the semantic cache's shared-store tests: a dotnet tool, installed
# into the git-ignored .tools folder, no root needed (the tests would install it themselves; one install here keeps them
# quick).
if [ ! -x .tools/garnet/garnet-server ] && [ -z "${PROMPTOPS_GARNET:-}" ]; then
  echo "== installing garnet-server (dotnet tool garnet-server 2.2.8 into .tools/garnet) =="
  dotnet tool install garnet-server --version 2.2.8 --tool-path .tools/garnet >/dev/null \
    || echo "!! could not install garnet-server: the tests that need it will fail (they try to install it again)."
fi

results=TestResults/test.sh
rm -rf "$results"
mkdir -p "$results"

# Build everything once (samples and benchmarks too, so they cannot rot), then run each test project from that build
# (--no-build) with its own results file.
echo "== building PromptOps.sln (Release) =="
t=$SECONDS
dotnet build PromptOps.sln -c Release -nologo "$@" || status=$?
echo "== build done in $((SECONDS - t)) s =="
if [ $status -eq 0 ]; then
  # Package.Tests packs from this build instead of building the packages again (PackedOnce.cs).
  export PROMPTOPS_RELEASE_BUILT=1
  projects=()
  for project in tests/*/*.csproj; do
    # Only test projects (FaultWorker is a program the fault tests start).
    grep -q '<IsTestProject>true</IsTestProject>' "$project" && projects+=("$project")
  done
  i=0
  for project in "${projects[@]}"; do
    i=$((i + 1))
    name="$(basename "$project" .csproj)"
    t=$SECONDS
    echo "== [$i/${#projects[@]}] $name =="
    # The console logger at normal verbosity names each test as it finishes; xUnit's diagnostic messages carry the
    # long-running-test notices (and Package.Tests' steps).
    dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results" -- xUnit.DiagnosticMessages=true xUnit.LongRunningTestSeconds=60 || status=$?
    echo "== $name done in $((SECONDS - t)) s =="
  done
fi
echo "== all done in $((SECONDS - started)) s =="

# The slowest test classes: the sum of their tests' durations (a class's tests run one after another; classes of one
# project run two at a time), from the .trx files.
if compgen -G "$results/*.trx" >/dev/null; then
  echo "== slowest test classes (seconds, sum of their tests; results in $results/) =="
  grep -ho '<UnitTestResult [^>]*>' "$results"/*.trx \
    | sed -n 's/.* testName="\([^"]*\)".* duration="\([0-9]*\):\([0-9]*\):\([0-9.]*\)".*/\1 \2 \3 \4/p' \
    | awk '{ name = $1; sub(/\(.*/, "", name); n = split(name, part, "."); cls = substr(name, 1, length(name) - length(part[n]) - 1);
             s[cls] += $(NF - 2) * 3600 + $(NF - 1) * 60 + $NF; c[cls]++ }
           END { for (k in s) printf "%8.1f  %4d tests  %s\n", s[k], c[k], k }' \
    | sort -rn | head -n 10
fi

passed=0; failed=0; total=0
for f in "$results"/*.trx; do
  [ -e "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); p=${p:-0}
  fl=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); fl=${fl:-0}
  n=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); n=${n:-0}
  passed=$((passed + p)); failed=$((failed + fl)); total=$((total + n))
done

# A build failure or a crashed test host leaves tests unaccounted for: count the run as failed.
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
if [ $total -eq 0 ]; then failed=$((failed > 0 ? failed : 1)); fi
echo "$passed passed, $failed failed"
[ $status -eq 0 ] && [ $failed -eq 0 ]
