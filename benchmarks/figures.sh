#!/usr/bin/env bash
# Measures the README figures interleaved (anchor and PromptOps alternating in one process, repeated) and rewrites every
# <!-- figures:NAME --> block of README.md and benchmarks/README.md; stores the output in benchmarks/figures.json.
#   benchmarks/figures.sh                  every generator that is not slow (~6-8 minutes on 2 cores)
#   benchmarks/figures.sh cache-hit ...    only these (the other blocks are written from benchmarks/figures.json)
#   benchmarks/figures.sh --quick          a shortened smoke run: prints, writes nothing
#   benchmarks/figures.sh --render         measures nothing: rewrites the blocks from benchmarks/figures.json
#   benchmarks/figures.sh --check          measures nothing, writes nothing: fails if a block differs from the store
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build benchmarks/PromptOps.Benchmarks -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary"
# Measures the working tree: generators build and test it, so leave src/ and tests/ alone until the run ends.
exec dotnet benchmarks/PromptOps.Benchmarks/bin/Release/net10.0/PromptOps.Benchmarks.dll --figures "$@"
