#!/bin/bash
# Builds and runs a libFuzzer target of the readers for SECONDS seconds.
#   Fuzz/run.sh segment|query|analyzer SECONDS [extra libFuzzer flags]
# The library is built with coverage instrumentation into .build-fuzz (release, -enable-testing),
# then linked with Fuzz/FuzzTarget.swift and libFuzzer. Findings (crashing inputs) land in
# Fuzz/findings/TARGET; the corpus grows in Fuzz/corpus/TARGET (both ignored by git).
set -euo pipefail
target=${1:?target: segment, query or analyzer}; seconds=${2:-60}; shift 2 || true
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift build -c release --target BigramSearch --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing -Xcc -fsanitize=fuzzer-no-link >&2
build=.build-fuzz/release
flag=$(echo "$target" | tr a-z A-Z)
out=.build-fuzz/fuzz-$target
# The library's objects for its current sources only (a file renamed or removed leaves a stale
# object in the build folder, which would be linked twice or with missing symbols).
objects=()
while IFS= read -r f; do objects+=("$build/BigramSearch.build/$(basename "$f" .swift).swift.o"); done \
    < <(find Sources/BigramSearch -name '*.swift')
swiftc -O -sanitize=fuzzer -parse-as-library -D "FUZZ_$flag" Fuzz/FuzzTarget.swift -o "$out" \
    -I "$build/Modules" \
    -Xcc -fmodule-map-file="$build/CChecksum.build/module.modulemap" \
    -Xcc -fmodule-map-file="$build/ICUShim.build/module.modulemap" \
    -Xcc -fmodule-map-file="$root/Sources/CZlib/module.modulemap" \
    -Xcc -I"$root/Sources/CChecksum/include" -Xcc -I"$root/Sources/ICUShim/include" \
    "${objects[@]}" "$build"/CChecksum.build/*.o "$build"/ICUShim.build/*.o \
    -licui18n -licuuc -licudata -lz -lstdc++
mkdir -p "Fuzz/corpus/$target" "Fuzz/findings/$target"
exec "$out" "Fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -artifact_prefix="Fuzz/findings/$target/" -print_final_stats=1 "$@"
