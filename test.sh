#!/usr/bin/env bash
# Runs every test. Installs what the tests need (redis-server, chromium, garnet-server) when it is missing, then runs `dotnet test`
# on the solution and prints a closing line "N passed, N failed" counted from the test results.
set -uo pipefail
cd "$(dirname "$0")"

# Debian packages the tests need: redis-server (Redis tests) and chromium (the HTML report test renders in headless Chromium).
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing what the tests need: ${missing[*]} (apt-get)..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  for tool in redis-server chromium; do
    command -v "$tool" >/dev/null 2>&1 || { echo "could not install $tool"; echo "0 passed, 1 failed"; exit 1; }
  done
fi

# Garnet (Redis-protocol server with vector sets) for the semantic cache's shared-store tests: a dotnet tool, installed
# into the git-ignored .tools folder (the tests would install it themselves, but one install here keeps them quick).
if [ ! -x .tools/garnet/garnet-server ] && [ -z "${PROMPTOPS_GARNET:-}" ]; then
  echo "garnet-server is missing; installing it (dotnet tool garnet-server 2.2.8 into .tools/garnet)..."
  dotnet tool install garnet-server --version 2.2.8 --tool-path .tools/garnet >/dev/null \
    || { echo "could not install garnet-server"; echo "0 passed, 1 failed"; exit 1; }
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# Build everything (samples and benchmarks too, so they cannot rot), then run each test project with its own
# results file (one trx per project: no two runs can write the same file).
status=0
started=$SECONDS
echo "== building PromptOps.sln (Release) =="
dotnet build PromptOps.sln -c Release "$@" || status=$?
echo "== build done in $((SECONDS - started)) s =="
if [ $status -eq 0 ]; then
  projects=(tests/*/*.csproj)
  i=0
  for project in "${projects[@]}"; do
    i=$((i + 1))
    name="$(basename "$project" .csproj)"
    [ "$name" = "FaultWorker" ] && continue # a program the fault tests start, not a test project
    grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
    t=$SECONDS
    echo "== [$i/${#projects[@]}] $name =="
    # The console logger at normal verbosity names each test class as it finishes (slow ones show where time goes).
    dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results" || status=$?
    echo "== $name done in $((SECONDS - t)) s =="
  done
fi
echo "== all done in $((SECONDS - started)) s =="

passed=0; failed=0; total=0
for f in "$results"/*.trx; do
  [ -e "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); p=${p:-0}
  fl=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); fl=${fl:-0}
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); t=${t:-0}
  passed=$((passed + p)); failed=$((failed + fl)); total=$((total + t))
done

# A build failure or a crashed test host leaves tests unaccounted for: count the run as failed.
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
if [ $total -eq 0 ]; then failed=$((failed > 0 ? failed : 1)); fi
echo "$passed passed, $failed failed"
[ $status -eq 0 ] && [ $failed -eq 0 ]
