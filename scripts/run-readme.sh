#!/usr/bin/env bash
# Runs every command line of README.md's ```sh blocks exactly as written, in order, as a person
# pasting them would, in a temporary copy of the repository (its tracked files and untracked
# files not ignored by .gitignore: no .build*, no Package.resolved), then removes the copy.
#
#   scripts/run-readme.sh            (from anywhere; needs git, bash, swift)
#
# Each line runs in its own `bash -e -o pipefail -c LINE` from the copy's root, stdin from
# /dev/null (a pipe in the line supplies its own). A line ending in `\` continues on the next.
# Lines skipped, each listed with its reason: `swift test` (CI runs the tests itself, and running
# them from here would build and run the whole suite again). The benchmark runs (on the seeds it
# takes about a second after its build). Before starting, the README's outputs under /tmp (every
# `/tmp/NAME` given to `--out`) are removed, so that the commands start from a clean state; other
# paths are left alone.
# Then the section "Use it in your package": its Package.swift and main.swift blocks are written
# to a new package beside the copy (which is in a folder named BigramSearch), with the one
# `.package(url: …)` line replaced by `.package(path: "../BigramSearch")` (the URL is a
# placeholder), and `swift run` must build and run it. It counts as one more command.
# Prints every command and its output, then `README commands: N passed, M failed`; exits 1 if a
# command failed (or none was found), 0 otherwise.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
readme="$repo/README.md"
[ -f "$readme" ] || { echo "run-readme: no README.md in $repo" >&2; exit 1; }
start=$(date +%s)

# One run at a time on a machine: the README's /tmp outputs are shared.
exec 9>"${TMPDIR:-/tmp}/run-readme.lock"
flock 9

# --- the command lines, in README order ------------------------------------------------------
commands=()
pending=""
in_sh=0
while IFS= read -r line || [ -n "$line" ]; do
    if [ $in_sh -eq 0 ]; then
        [[ "$line" =~ ^[[:space:]]*\`\`\`(sh|bash|shell|console)[[:space:]]*$ ]] && in_sh=1
        continue
    fi
    if [[ "$line" =~ ^[[:space:]]*\`\`\`[[:space:]]*$ ]]; then
        in_sh=0
        [ -n "$pending" ] && { commands+=("$pending"); pending=""; }
        continue
    fi
    if [[ "$line" == *\\ ]]; then                   # continued on the next line
        pending+="${line%\\} "
        continue
    fi
    line="$pending$line"; pending=""
    trimmed="${line#"${line%%[![:space:]]*}"}"
    [ -z "$trimmed" ] && continue                    # blank
    [[ "$trimmed" == \#* ]] && continue              # a comment line
    commands+=("$trimmed")
done < "$readme"

if [ ${#commands[@]} -eq 0 ]; then
    echo "run-readme: no commands found in README.md's sh blocks" >&2
    echo "README commands: 0 passed, 1 failed"
    exit 1
fi

skip_reason() {
    case "$1" in
        "swift test"|"swift test "*) echo "the test suite: CI runs it itself (.ci/run), and it would run the whole suite again" ;;
        *) return 1 ;;
    esac
}

# --- a clean copy of the repository ----------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/run-readme.XXXXXX")
trap 'rm -rf "$work"' EXIT
copy="$work/BigramSearch"
mkdir -p "$copy"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf -) | tar -xf - -C "$copy" || { echo "run-readme: could not copy the repository" >&2; exit 1; }
echo "== copy of $repo in $copy ($(cd "$copy" && find . -type f | wc -l) files)"

# --- the README's /tmp outputs, removed first ------------------------------------------------
outputs=$(printf '%s\n' "${commands[@]}" | grep -oE -- '--out[= ]+/tmp/[A-Za-z0-9._-]+' \
    | grep -oE '/tmp/[A-Za-z0-9._-]+' | sort -u || true)
for p in $outputs; do
    case "$p" in /tmp/.|/tmp/..) continue ;; esac
    if [ -e "$p" ]; then echo "== removing $p (a README output, for a clean start)"; rm -rf -- "$p"; fi
done

# --- run -------------------------------------------------------------------------------------
passed=0 failed=0
failures=() skipped=()
for cmd in "${commands[@]}"; do
    if reason=$(skip_reason "$cmd"); then
        skipped+=("$cmd  -- $reason")
        echo
        echo "== SKIP: $cmd"
        echo "   ($reason)"
        continue
    fi
    echo
    echo "== \$ $cmd"
    t0=$(date +%s)
    (cd "$copy" && bash -e -o pipefail -c "$cmd" < /dev/null)
    rc=$?
    t=$(( $(date +%s) - t0 ))
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "== ok (${t}s)"
    else
        failed=$((failed + 1))
        failures+=("$cmd  (exit $rc)")
        echo "== FAILED: exit $rc (${t}s)"
    fi
done

# --- "Use it in your package": the README's manifest and main.swift, built against the copy ----
swift_block() {   # the first ```swift block of the section "Use it in your package" containing $1
    awk -v want="$1" '
        /^## / { insec = ($0 ~ /^## Use it in your package/) ; next }
        insec && /^```swift[[:space:]]*$/ { inb = 1; buf = ""; next }
        insec && inb && /^```[[:space:]]*$/ { inb = 0; if (index(buf, want) && !done) { printf "%s", buf; done = 1 } next }
        inb { buf = buf $0 "\n" }
    ' "$readme"
}
echo
manifest=$(swift_block "Package(")
main=$(swift_block "import BigramSearch")
app="$work/MyApp"
target=$(printf '%s\n' "$manifest" | grep -A3 'executableTarget(' | grep -oE 'name: "[^"]+"' | head -1 | cut -d'"' -f2)
label='(Use it in your package) its Package.swift, .package(url:) replaced by .package(path: "../BigramSearch"), and main.swift: swift run'
if [ -z "$manifest" ] || [ -z "$main" ] || [ -z "$target" ] \
   || [ "$(printf '%s\n' "$manifest" | grep -c '\.package(url:')" -ne 1 ]; then
    echo "== FAILED: $label"
    echo "   (the section \"Use it in your package\" needs a swift block with Package(…), one .package(url:) and an"
    echo "   executableTarget, and a swift block with import BigramSearch)"
    failed=$((failed + 1)); failures+=("$label  (blocks not found)")
else
    mkdir -p "$app/Sources/$target"
    printf '%s\n' "$manifest" | sed -E 's#\.package\(url: *"[^"]*", *[^)]*\)#.package(path: "../BigramSearch")#' > "$app/Package.swift"
    printf '%s\n' "$main" > "$app/Sources/$target/main.swift"
    echo "== \$ $label"
    grep -n 'package(' "$app/Package.swift" | sed 's/^/   Package.swift:/'
    t0=$(date +%s)
    (cd "$app" && swift run < /dev/null)
    rc=$?
    t=$(( $(date +%s) - t0 ))
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); echo "== ok (${t}s)"
    else
        failed=$((failed + 1)); failures+=("$label  (exit $rc)"); echo "== FAILED: exit $rc (${t}s)"
    fi
fi

echo
echo "== skipped ${#skipped[@]}:"
for s in "${skipped[@]}"; do echo "   $s"; done
if [ $failed -gt 0 ]; then
    echo "== failed:"
    for f in "${failures[@]}"; do echo "   $f"; done
fi
echo "== took $(( $(date +%s) - start ))s"
echo "README commands: $passed passed, $failed failed"
[ $failed -eq 0 ]
