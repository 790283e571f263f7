#!/usr/bin/env bash
# The README's test-command time: clones HEAD into a fresh directory, runs `CI=true bash .ci/run` there (the README's
# test command, everything included), and prints the README block (<!-- figures:test-time -->) with the figures of that
# run — tests, total time, the build and the three slowest projects, the 1-minute load average before and after — for
# `benchmarks/figures.sh test-time`. Fails (no figures) when a test fails. Uses the NuGet cache as it is (a cold cache
# adds the restore). Only committed code is measured: commit first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/promptops-test-time.XXXXXX)"
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/clone"
commit="$(git -C "$work/clone" rev-parse --short HEAD)"
load_before="$(cut -d' ' -f1 /proc/loadavg)"
log="$work/run.txt"
status=0
(cd "$work/clone" && CI=true bash .ci/run) >"$log" 2>&1 || status=$?
load_after="$(cut -d' ' -f1 /proc/loadavg)"
tail -n 3 "$log"
if [ "$status" -ne 0 ]; then
  kept=/tmp/promptops-test-time-failed.log
  cp "$log" "$kept"
  echo "the test command failed on the fresh clone (exit $status): no figures. The failed tests (whole log: $kept):" >&2
  grep -E '^\s+Failed [A-Za-z]' "$log" >&2 || true
  grep -E -A12 '^\s+Failed [A-Za-z]' "$log" | grep -E 'Error Message|^\s{3,}[A-Za-z]' | head -n 40 >&2 || true
  exit 1
fi

summary="$(tail -n 1 "$log")"                                   # "N passed, 0 failed"
passed="${summary%% passed*}"
total="$(sed -n 's/^== all done in \([0-9]*\) s ==$/\1/p' "$log")"
build="$(sed -n 's/^== build done in \([0-9]*\) s ==$/\1/p' "$log")"
# The three slowest projects: "== PromptOps.X.Tests done in N s ==".
slowest="$(sed -n 's/^== PromptOps\.\(.*\) done in \([0-9]*\) s ==$/\2 \1/p' "$log" | sort -rn | head -n 3 | awk '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $2, $1 }')"
cores="$(nproc)"
minutes="$(awk -v s="$total" 'BEGIN { printf "%.1f", s / 60 }')"
echo "<!-- figures:test-time -->"
printf '%s tests passed in %s s (%s minutes: build %s s, %s) on %s from a fresh clone of %s on %s cores, with a warm NuGet cache; the 1-minute load average was %s before the run and %s after it.\n' \
  "$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$passed")" "$total" "$minutes" "$build" "$slowest" "$(date -u +%Y-%m-%d)" "$commit" "$cores" "$load_before" "$load_after"
echo "<!-- /figures:test-time -->"
