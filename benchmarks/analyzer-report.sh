#!/usr/bin/env bash
# The PromptOps analyzers in a real build (benchmarks/README.md, section 4, part B).
#
# Writes the projects of AnalyzerBenchmarks as net10.0 class libraries into a temporary directory and builds them with
# the SDK's compiler and the PromptOps analyzers and generator built from this repository:
#   PromptFree       1,000 files without a prompt                     PromptOps analyzers + generator
#   Prompts          1,000 [Prompt] methods and 100 raw chat calls    PromptOps analyzers + generator
#   PromptsUnmarked  Prompts' sources plus the generator's output as files, without [GeneratedCode] on the [Prompt]
#                    method implementations (see AnalyzerProject.PromptsUnmarked)  the six cost analyzers only
# and prints
#   1. Roslyn's per-analyzer and per-generator times (-p:ReportAnalyzer=true) of the second of two builds: every
#      analyzer/generator assembly, and every PromptOps type; the PromptOps diagnostics.
#      The builds use the compiler as this machine's environment says (here UseSharedCompilation=false: a new csc
#      process per build, as on CI without a compiler server); then PromptFree once more with the compiler server;
#   2. the compiler's wall-clock and CPU time with and without PromptOps (no ReportAnalyzer; csc run through a
#      /usr/bin/time wrapper), $ROUNDS rounds after a warm-up round, medians and ratios. "Without" keeps everything else
#      the build runs (the SDK's analyzers and generators, those of the packages); for Prompts it compiles the
#      generator's output as plain files instead. FLOOR=1 adds a third variant, benchmarks/FloorAnalyzer: analyzers
#      and a generator that register exactly what PromptOps registers and do nothing — the part of the difference
#      that is Roslyn hosting such analyzers, whatever they do.
#
# Everything is written under $WORK (default: a new /tmp/analyzerbench.XXXXXX); the repository's projects are built
# with --artifacts-path $WORK/artifacts, so nothing in the repository changes.
#
# Usage: benchmarks/analyzer-report.sh [/tmp/work-directory]     (ROUNDS=8 by default; ~25 minutes on 2 cores)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/analyzerbench.XXXXXX)}"
ROUNDS="${ROUNDS:-8}"
PARTS="${PARTS:-1 2}"                          # PARTS=2: only the with/without timing
TIMED="${TIMED:-PromptFree Prompts}"           # the projects part 2 times, e.g. TIMED=PromptFree
REPORT_RUNS="${REPORT_RUNS:-2}"                # builds per project in part 1; the last one is reported
FLOOR="${FLOOR:-0}"                            # FLOOR=1: part 2 also times a third build with benchmarks/FloorAnalyzer
case "$WORK" in /tmp/*) ;; *) echo "The work directory must be under /tmp: $WORK" >&2; exit 1 ;; esac
mkdir -p "$WORK"
ART="$WORK/artifacts"
LOGS="$WORK/logs"
ANALYZERS="$WORK/analyzers"
NUGET="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
TOKENIZERS_VERSION=2.0.1
mkdir -p "$LOGS" "$ANALYZERS"
rm -f "$WORK/csc-times.txt"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SDK_DIR="$(dotnet --list-sdks | awk -v v="$(dotnet --version)" '$1 == v { gsub(/[\[\]]/, "", $2); print $2 "/" v }')"
echo "# Work directory: $WORK"
echo "# .NET SDK $(dotnet --version); compiler (csc -version) $(dotnet "$SDK_DIR/Roslyn/bincore/csc.dll" -version)"

# --- the analyzers, the generator and the runtime, built from this repository into $ART --------------------------------
for project in src/Runtime/PromptOps.Runtime.csproj src/Analyzers/PromptOps.Analyzers.csproj src/Generators/PromptOps.Generators.csproj; do
  log="$LOGS/build-$(basename "$project" .csproj).log"
  dotnet build "$REPO/$project" -c Release --artifacts-path "$ART" -v:q -nologo > "$log" 2>&1 || { cat "$log"; exit 1; }
done
cp "$ART/bin/PromptOps.Analyzers/release/PromptOps.Analyzers.dll" "$ANALYZERS/"
cp "$ART/bin/PromptOps.Generators/release/PromptOps.Generators.dll" "$ANALYZERS/"
# The tokenizer the analyzers load: the netstandard2.0 builds, beside the analyzers.
cp "$NUGET/microsoft.ml.tokenizers/$TOKENIZERS_VERSION/lib/netstandard2.0/Microsoft.ML.Tokenizers.dll" "$ANALYZERS/"
cp "$NUGET/microsoft.ml.tokenizers.data.o200kbase/$TOKENIZERS_VERSION/lib/netstandard2.0/Microsoft.ML.Tokenizers.Data.O200kBase.dll" "$ANALYZERS/"
if [ "$FLOOR" = 1 ]; then
  # Analyzers and a generator with PromptOps' registrations and empty callbacks: what hosting them costs the compiler.
  log="$LOGS/build-FloorAnalyzer.log"
  dotnet build "$REPO/benchmarks/FloorAnalyzer/FloorAnalyzer.csproj" -c Release --artifacts-path "$ART" -v:q -nologo > "$log" 2>&1 || { cat "$log"; exit 1; }
  cp "$ART/bin/FloorAnalyzer/release/FloorAnalyzer.dll" "$ANALYZERS/"
fi
echo "# Analyzer folder $ANALYZERS: $(cd "$ANALYZERS" && ls | tr '\n' ' ')"

# --- the projects' sources, written by the benchmark harness (the code AnalyzerBenchmarks compiles) --------------------
dotnet run --project "$REPO/benchmarks/PromptOps.Benchmarks" -c Release --artifacts-path "$ART" -- --write-analyzer-workloads "$WORK" \
  > "$LOGS/write-workloads.log" 2>&1 || { cat "$LOGS/write-workloads.log"; exit 1; }
grep -E '^/tmp/.*files$' "$LOGS/write-workloads.log"

# Keep MSBuild from importing any Directory.Build.* / Directory.Packages.props above $WORK.
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$WORK/$f"; done

write_project() { # name, analyzer DLLs…
  local name="$1"; shift
  {
    cat <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <!-- The language version and nullable context of AnalyzerWorkload; the sources have explicit usings. -->
    <LangVersion>12</LangVersion>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
    <!-- -p:PromptOps=false: the same project without the PromptOps analyzers and generator. -->
    <PromptOps Condition="'\$(PromptOps)' == ''">true</PromptOps>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.Extensions.AI.Abstractions" Version="10.11.0" />
    <!-- [Prompt] and the types the generated code uses; built above, not rebuilt (BuildProjectReferences=false). -->
    <ProjectReference Include="$REPO/src/Runtime/PromptOps.Runtime.csproj" />
  </ItemGroup>
  <ItemGroup Condition="'\$(PromptOps)' == 'true'">
EOF
    for dll in "$@"; do echo "    <Analyzer Include=\"$ANALYZERS/$dll\" />"; done
    echo '  </ItemGroup>'
    echo '  <!-- -p:PromptOps=floor: benchmarks/FloorAnalyzer instead (FLOOR=1). -->'
    echo "  <ItemGroup Condition=\"'\$(PromptOps)' == 'floor'\"><Analyzer Include=\"$ANALYZERS/FloorAnalyzer.dll\" /></ItemGroup>"
    if [ "$name" = Prompts ]; then
      echo '  <!-- Without PromptOps, the code the generator writes is compiled as plain files. -->'
      echo "  <ItemGroup Condition=\"'\$(PromptOps)' != 'true'\"><Compile Include=\"$WORK/PromptsGenerated/*.cs\" /></ItemGroup>"
    fi
    echo '</Project>'
  } > "$WORK/$name/$name.csproj"
}
ALL="PromptOps.Analyzers.dll PromptOps.Generators.dll Microsoft.ML.Tokenizers.dll Microsoft.ML.Tokenizers.Data.O200kBase.dll"
write_project PromptFree $ALL
write_project Prompts $ALL
write_project PromptsUnmarked PromptOps.Analyzers.dll Microsoft.ML.Tokenizers.dll Microsoft.ML.Tokenizers.Data.O200kBase.dll

build() { # project, extra arguments…
  local project="$1"; shift
  dotnet build "$WORK/$project/$project.csproj" -c Release --artifacts-path "$ART" --no-incremental -nologo \
    -p:BuildProjectReferences=false "$@"
}

# --- 1. ReportAnalyzer ---------------------------------------------------------------------------------------------------
if [[ " $PARTS " == *" 1 "* ]]; then
for name in PromptFree Prompts PromptsUnmarked; do
  for run in $(seq 1 "$REPORT_RUNS"); do
    log="$LOGS/$name-report-$run.log"
    build "$name" -p:ReportAnalyzer=true -v:d > "$log" 2>&1 || { grep -E 'error' "$log" | head -20; exit 1; }
  done
  log="$LOGS/$name-report-$REPORT_RUNS.log"
  # The Csc task's report, from "Total analyzer execution time" to the end of the generator table.
  awk '/Total analyzer execution time/ { p = 1 } p && !/^ *$/ && !/Time \(s\)/ { print } p && /Done executing task|Task "|Target "/ { exit }' "$log" \
    | grep -vE 'Done executing task|Task "|Target "' > "$LOGS/$name-report.txt"
  echo
  echo "## $name: ReportAnalyzer, build $REPORT_RUNS of $REPORT_RUNS (all analyzer types: $LOGS/$name-report.txt)"
  echo '```'
  # Totals, every assembly (one indentation level), and the PromptOps types.
  grep -E 'Total (analyzer|generator) execution time|^ {10,14}[0-9<][0-9.]* +[0-9<]+ {3}[^ ]|^ +[0-9<][0-9.]* +[0-9<]+ +PromptOps\.' "$LOGS/$name-report.txt" \
    | sed -E 's/, Version=[^,]+, Culture=neutral, PublicKeyToken=[0-9a-f]+//; s/, Version=[^,]+, Culture=neutral, PublicKeyToken=null//; s/^ {9}//' \
    | cut -c1-140
  echo '```'
  echo "PromptOps diagnostics (distinct; PO0008 is Info, which builds do not print): $(grep -oE '/[^ >]+\.cs\([0-9]+,[0-9]+\): (warning|error|info) (PO[0-9]{4}|AD0001|CS8032|CS8784|CS8785)' "$log" \
    | sort -u | awk '{ print $NF }' | sort | uniq -c | awk '{ printf "%s × %s, ", $2, $1 }')"
  echo "Analyzer load failures or exceptions (AD0001, CS8032, CS8784, CS8785): $(grep -cE '(warning|error) (AD0001|CS8032|CS8784|CS8785)' "$log" || true)"
done

# The same report with the compiler server (third of three builds: PromptOps' assemblies loaded and jitted already).
server_before="$(pgrep -f 'Roslyn/bincore/VBCSCompiler' || true)"
for run in 1 2 3; do
  build PromptFree -p:UseSharedCompilation=true -p:ReportAnalyzer=true -v:d > "$LOGS/PromptFree-server-$run.log" 2>&1 \
    || { grep -E 'error' "$LOGS/PromptFree-server-$run.log" | head -20; exit 1; }
done
echo
echo "## PromptFree with the compiler server: ReportAnalyzer, third of three builds ($(grep -m1 -oE 'CompilerServer: [a-z]+ - [a-z ]+' "$LOGS/PromptFree-server-3.log"))"
echo '```'
awk '/Total analyzer execution time/ { p = 1 } p { print } p && /Done executing task/ { exit }' "$LOGS/PromptFree-server-3.log" \
  | grep -E 'Total (analyzer|generator) execution time|^ {10,14}[0-9<][0-9.]* +[0-9<]+ {3}[^ ]|^ +[0-9<][0-9.]* +[0-9<]+ +PromptOps\.' \
  | sed -E 's/, Version=[^,]+, Culture=neutral, PublicKeyToken=[0-9a-z]+//; s/^ {9}//' | cut -c1-140
echo '```'
if [ -z "$server_before" ]; then # stop the compiler server this script started, by its process id
  for pid in $(pgrep -f 'Roslyn/bincore/VBCSCompiler' || true); do kill "$pid" 2>/dev/null || true; done
fi

fi

# --- 2. Compiler time with and without PromptOps -------------------------------------------------------------------------
if [[ " $PARTS " == *" 2 "* ]]; then
# The compiler runs as its own process (no server) through a wrapper that records its wall-clock, user and system CPU
# seconds (/usr/bin/time). CPU time (user + system, all threads) is the work the compile did; it is much less sensitive
# to other processes on the machine than wall-clock time.
mkdir -p "$WORK/tools"
printf '#!/usr/bin/env bash\nexec /usr/bin/time -f "%%e %%U %%S" -a -o "$CSC_TIMES" "%s/Roslyn/bincore/csc" "$@"\n' "$SDK_DIR" > "$WORK/tools/csc"
chmod +x "$WORK/tools/csc"
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo
VARIANTS="false true"; [ "$FLOOR" = 1 ] && VARIANTS="false floor true"
echo "## Compiler with and without PromptOps, $ROUNDS rounds after one warm-up round (each round builds each of $TIMED once per variant — $VARIANTS — in an order that rotates from round to round)"
for round in $(seq 0 "$ROUNDS"); do
  for name in $TIMED; do
    read -r -a variants <<< "$VARIANTS"; order=""
    for ((i = 0; i < ${#variants[@]}; i++)); do order="$order ${variants[$(((round + i) % ${#variants[@]}))]}"; done
    for with in $order; do
      log="$LOGS/$name-time-$with-$round.log"
      rm -f "$WORK/csc-one.txt"
      CSC_TIMES="$WORK/csc-one.txt" build "$name" -p:PromptOps=$with -p:UseSharedCompilation=false \
        -p:CscToolPath="$WORK/tools" -p:CscToolExe=csc -v:m > "$log" 2>&1 || { grep -E 'error' "$log" | head -20; exit 1; }
      [ "$round" = 0 ] || echo "$name $with $(tail -1 "$WORK/csc-one.txt")" >> "$WORK/csc-times.txt"
    done
  done
done
echo '| Project | Variant | wall / CPU (s, median) | Ratio of medians to without: wall / CPU | Median of per-round CPU ratios | Per-round CPU ratios |'
echo '|---|---|---:|---:|---:|---|'
for name in $TIMED; do
  wall() { awk -v n="$name" -v w="$1" '$1 == n && $2 == w { print $3 }' "$WORK/csc-times.txt"; }
  cpu() { awk -v n="$name" -v w="$1" '$1 == n && $2 == w { print $4 + $5 }' "$WORK/csc-times.txt"; }
  w0=$(wall false | median); c0=$(cpu false | median)
  echo "| $name | without | $w0 / $c0 | | | |"
  for with in $VARIANTS; do
    [ "$with" = false ] && continue
    label=$([ "$with" = true ] && echo "with PromptOps" || echo "floor (empty analyzers)")
    w1=$(wall "$with" | median); c1=$(cpu "$with" | median)
    ratios=$(paste <(cpu "$with") <(cpu false) | awk '{ printf "%.3f ", $1 / $2 }')
    mratio=$(echo "$ratios" | tr ' ' '\n' | grep . | median)
    echo "| $name | $label | $w1 / $c1 | $(awk -v a="$w1" -v b="$w0" -v c="$c1" -v d="$c0" 'BEGIN { printf "%.3f / %.3f", a / b, c / d }') | $mratio | $ratios|"
  done
  if [ "$FLOOR" = 1 ]; then
    ratios=$(paste <(cpu true) <(cpu floor) | awk '{ printf "%.3f ", $1 / $2 }')
    echo "| $name | with PromptOps / floor | | $(awk -v a="$(cpu true | median)" -v b="$(cpu floor | median)" 'BEGIN { printf "CPU %.3f", a / b }') | $(echo "$ratios" | tr ' ' '\n' | grep . | median) | $ratios|"
  fi
done
echo
echo "# Raw times (project, with PromptOps, wall, user, system seconds): $WORK/csc-times.txt; logs: $LOGS"
fi
