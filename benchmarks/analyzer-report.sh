#!/usr/bin/env bash
# The PromptOps analyzers in a real build (benchmarks/README.md, section 4, part B).
#
# Writes the two projects of AnalyzerBenchmarks (PromptFree: 1,000 files without a prompt; Prompts: 1,000 [Prompt]
# methods and 100 raw calls) as net10.0 class libraries into a temporary directory, builds them with the SDK's compiler
# and the built PromptOps analyzers, and prints
#   1. Roslyn's per-analyzer and per-generator times (-p:ReportAnalyzer=true), second of two builds (warm compiler
#      server), for each project;
#   2. the Csc task time with and without the PromptOps analyzers (-clp:PerformanceSummary, no ReportAnalyzer),
#      $ROUNDS alternating rounds, median and ratio. "Without" keeps everything else a build runs (the SDK's analyzers
#      and generators).
#
# Everything is written under $WORK (default: a new /tmp/analyzerbench.XXXXXX): the repository's projects are built with
# --artifacts-path $WORK/artifacts, so nothing under the repository changes.
#
# Usage: benchmarks/analyzer-report.sh [work-directory]     (ROUNDS=5 by default; takes ~10 minutes on 2 cores)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/analyzerbench.XXXXXX)}"
ROUNDS="${ROUNDS:-5}"
case "$WORK" in /tmp/*) ;; *) echo "The work directory must be under /tmp: $WORK" >&2; exit 1 ;; esac
mkdir -p "$WORK"
ART="$WORK/artifacts"
LOGS="$WORK/logs"
ANALYZERS="$WORK/analyzers"
NUGET="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
TOKENIZERS_VERSION=2.0.1
mkdir -p "$LOGS" "$ANALYZERS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "# Work directory: $WORK"
echo "# dotnet $(dotnet --version); compiler: $(ls "$(dirname "$(command -v dotnet)")"/sdk/"$(dotnet --version)"/Roslyn/bincore/Microsoft.CodeAnalysis.dll 2>/dev/null | head -1)"

# --- the analyzers, the generator and the runtime, built from this repository into $ART --------------------------------
for project in src/Runtime/PromptOps.Runtime.csproj src/Analyzers/PromptOps.Analyzers.csproj src/Generators/PromptOps.Generators.csproj; do
  dotnet build "$REPO/$project" -c Release --artifacts-path "$ART" -v:q -nologo > "$LOGS/build-$(basename "$project" .csproj).log" 2>&1 \
    || { cat "$LOGS/build-$(basename "$project" .csproj).log"; exit 1; }
done
cp "$ART/bin/PromptOps.Analyzers/release/PromptOps.Analyzers.dll" "$ANALYZERS/"
cp "$ART/bin/PromptOps.Generators/release/PromptOps.Generators.dll" "$ANALYZERS/"
# The tokenizer the analyzers load (netstandard2.0 builds, as a compiler running on .NET Framework or .NET would load).
cp "$NUGET/microsoft.ml.tokenizers/$TOKENIZERS_VERSION/lib/netstandard2.0/Microsoft.ML.Tokenizers.dll" "$ANALYZERS/"
cp "$NUGET/microsoft.ml.tokenizers.data.o200kbase/$TOKENIZERS_VERSION/lib/netstandard2.0/Microsoft.ML.Tokenizers.Data.O200kBase.dll" "$ANALYZERS/"
for extra in ${EXTRA_ANALYZER_DLLS:-}; do cp "$extra" "$ANALYZERS/"; done
echo "# Analyzer folder: $(cd "$ANALYZERS" && ls | tr '\n' ' ')"

# --- the two projects' sources, written by the benchmark harness (the same code AnalyzerBenchmarks compiles) ----------
dotnet run --project "$REPO/benchmarks/PromptOps.Benchmarks" -c Release --artifacts-path "$ART" -- --write-analyzer-workloads "$WORK" \
  > "$LOGS/write-workloads.log" 2>&1 || { cat "$LOGS/write-workloads.log"; exit 1; }
cat "$LOGS/write-workloads.log"

# Stop MSBuild from picking up any Directory.Build.props / Directory.Packages.props above $WORK.
echo '<Project />' > "$WORK/Directory.Build.props"
echo '<Project />' > "$WORK/Directory.Build.targets"
echo '<Project />' > "$WORK/Directory.Packages.props"

for name in PromptFree Prompts; do
  cat > "$WORK/$name/$name.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <!-- The same language version and nullable context as AnalyzerWorkload; the sources have explicit usings. -->
    <LangVersion>12</LangVersion>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
    <!-- -p:PromptOpsAnalyzers=false: the same build without the PromptOps analyzers and generator. -->
    <PromptOpsAnalyzers Condition="'\$(PromptOpsAnalyzers)' == ''">true</PromptOpsAnalyzers>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.Extensions.AI.Abstractions" Version="10.11.0" />
    <!-- [Prompt] and the types the generated code uses. Built above; the build below does not rebuild it. -->
    <ProjectReference Include="$REPO/src/Runtime/PromptOps.Runtime.csproj" />
  </ItemGroup>
  <ItemGroup Condition="'\$(PromptOpsAnalyzers)' == 'true'">
    <Analyzer Include="$ANALYZERS/PromptOps.Analyzers.dll" />
    <Analyzer Include="$ANALYZERS/PromptOps.Generators.dll" />
    <Analyzer Include="$ANALYZERS/Microsoft.ML.Tokenizers.dll" />
    <Analyzer Include="$ANALYZERS/Microsoft.ML.Tokenizers.Data.O200kBase.dll" />
$(for extra in ${EXTRA_ANALYZER_DLLS:-}; do echo "    <Analyzer Include=\"$ANALYZERS/$(basename "$extra")\" />"; done)
  </ItemGroup>
</Project>
EOF
done

build() { # project, extra arguments…
  local project="$1"; shift
  dotnet build "$WORK/$project/$project.csproj" -c Release --artifacts-path "$ART" --no-incremental -nologo \
    -p:BuildProjectReferences=false "$@"
}

# --- 1. ReportAnalyzer ---------------------------------------------------------------------------------------------------
for name in PromptFree Prompts; do
  for run in 1 2; do
    build "$name" -p:ReportAnalyzer=true -v:d > "$LOGS/$name-report-$run.log" 2>&1 || { tail -50 "$LOGS/$name-report-$run.log"; exit 1; }
  done
  echo
  echo "## $name: ReportAnalyzer (second of two builds; full log: $LOGS/$name-report-2.log)"
  # The Csc task's report: totals, one line per analyzer/generator assembly and one per analyzer/generator type.
  grep -E '^\s+(Total (analyzer|generator) execution time|Time \(s\)|(<)?[0-9]+\.[0-9]+ +(<)?[0-9]+ +)' "$LOGS/$name-report-2.log" \
    | sed -E 's/^\s{2,}//' || true
  echo "### $name: PromptOps / analyzer-exception diagnostics (counts)"
  grep -oE '(warning|error|info) (PO[0-9]{4}|AD0001|CS8032|CS8784|CS8785)' "$LOGS/$name-report-2.log" | sort | uniq -c || echo "   none"
done

# --- 2. Csc time with and without the PromptOps analyzers ----------------------------------------------------------------
csc_ms() { # log → milliseconds of the Csc task (Task Performance Summary)
  grep -E '^\s+[0-9]+ ms\s+Csc\s' "$1" | awk '{ print $1 }' | head -1
}
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo
echo "## Csc task time, $ROUNDS rounds (each round: PromptFree with, without; Prompts with, without), after one warm-up round"
for round in $(seq 0 "$ROUNDS"); do
  for name in PromptFree Prompts; do
    for with in true false; do
      log="$LOGS/$name-time-$with-$round.log"
      build "$name" -p:PromptOpsAnalyzers=$with -v:m -clp:PerformanceSummary > "$log" 2>&1 || { tail -50 "$log"; exit 1; }
      [ "$round" = 0 ] || echo "$name $with $(csc_ms "$log")" >> "$WORK/csc-times.txt"
    done
  done
done
printf '| Project | Csc without PromptOps (ms, median) | Csc with PromptOps (ms, median) | Ratio of medians | Per-round ratios |\n|---|---:|---:|---:|---|\n'
for name in PromptFree Prompts; do
  without=$(awk -v n="$name" '$1 == n && $2 == "false" { print $3 }' "$WORK/csc-times.txt" | median)
  with=$(awk -v n="$name" '$1 == n && $2 == "true" { print $3 }' "$WORK/csc-times.txt" | median)
  ratios=$(paste <(awk -v n="$name" '$1 == n && $2 == "true" { print $3 }' "$WORK/csc-times.txt") \
                 <(awk -v n="$name" '$1 == n && $2 == "false" { print $3 }' "$WORK/csc-times.txt") | awk '{ printf "%.3f ", $1 / $2 }')
  echo "| $name | $without | $with | $(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.3f", a / b }') | $ratios|"
done
echo
echo "# Raw times: $WORK/csc-times.txt; logs: $LOGS"
