#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (`make fuzz SECONDS=N`).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Builds the Fuzz/ package in release mode with -sanitize=fuzzer,address into Fuzz/.build-fuzz, then for each
# target (all of them by default): runs its saved regression inputs (Tests/Fuzz/<target>/regressions/), copies its
# seed corpus to a temporary working corpus (Tests/Fuzz is never written), and fuzzes it for SECONDS seconds
# (default 60). Prints each target's executions and coverage, and exits non-zero if any target crashed.
# Crash inputs and full logs are kept in Fuzz/.build-fuzz/artifacts/<target>/.
#
# Environment: FUZZ_ASAN=0 builds without AddressSanitizer; FUZZ_KEEP_CORPUS=1 keeps the working corpora.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SWIFT="${SWIFT:-swift}"
SECONDS_PER_TARGET="${1:-60}"
[ $# -gt 0 ] && shift
ALL_TARGETS=(FuzzHTTPRequest FuzzEnvelope FuzzKeyFile FuzzPublicKeyText FuzzFormFile FuzzUploadHeaders
    FuzzAttachmentRequest FuzzAddendum FuzzAttachmentMetadata FuzzAttachmentStream)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

case "$SECONDS_PER_TARGET" in
    '' | *[!0-9]*) echo "fuzz: error: SECONDS must be a whole number, not '$SECONDS_PER_TARGET'" >&2; exit 2 ;;
esac
for target in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $target "* ]] || {
        echo "fuzz: error: unknown target $target (known: ${ALL_TARGETS[*]})" >&2
        exit 2
    }
done

[ -x "$ROOT/scripts/deps.sh" ] && "$ROOT/scripts/deps.sh"

PACKAGE="$ROOT/Fuzz"
SCRATCH="$PACKAGE/.build-fuzz"
# SwiftPM passes each --sanitize as its own -sanitize= flag, and swiftc keeps only the last one: with both, Swift
# code would get AddressSanitizer but no coverage instrumentation. The combined -Xswiftc flag comes last and wins;
# the --sanitize flags still give C targets both sanitizers and link the runtimes.
SANITIZE=(--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
[ "${FUZZ_ASAN:-1}" = 0 ] && SANITIZE=(--sanitize=fuzzer)
echo "fuzz: building ${TARGETS[*]} (release, ${SANITIZE[*]})"
"$SWIFT" build --package-path "$PACKAGE" --scratch-path "$SCRATCH" -c release "${SANITIZE[@]}" >&2
BIN="$("$SWIFT" build --package-path "$PACKAGE" --scratch-path "$SCRATCH" -c release "${SANITIZE[@]}" --show-bin-path)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/amanat-fuzz.XXXXXX")"
cleanup() { if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then echo "fuzz: working corpora kept in $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }
# The crash's message and the top of its stack, from a libFuzzer log.
crash_summary() {
    grep -E 'Fatal error|Precondition failed|Assertion failed|ERROR: (libFuzzer|AddressSanitizer)|^SUMMARY' "$1" | head -n 4 || true
    grep -E '^ +#[0-9]+ ' "$1" | head -n 12 || true
}
# Swift's own crash handler would print its backtrace under AddressSanitizer, which flags its memory reads as
# overflows and buries the real crash; libFuzzer's handler prints the stack instead.
export SWIFT_BACKTRACE=enable=no

passed=0
failed=0
for target in "${TARGETS[@]}"; do
    seeds="$ROOT/Tests/Fuzz/$target"
    artifacts="$SCRATCH/artifacts/$target"
    log="$artifacts/fuzz.log"
    rm -rf "$artifacts"
    mkdir -p "$artifacts"
    # TOMLKit 0.6.0 never frees a parsed document: LeakSanitizer would stop these at their first TOML input
    # (libFuzzer's check, -detect_leaks) and again at exit (AddressSanitizer's, ASAN_OPTIONS). FuzzAddendum loads
    # the shipped form once, at its first input.
    leaks=()
    asan_options="${ASAN_OPTIONS:-}"
    case "$target" in
        FuzzFormFile | FuzzHTTPRequest | FuzzAddendum)
            leaks=(-detect_leaks=0)
            asan_options="detect_leaks=0${asan_options:+:$asan_options}"
            ;;
    esac
    # FuzzFormFile leaks a document per input (about 4 KiB), so libFuzzer's default 2 GiB limit on resident memory
    # stops it after roughly half a million inputs, some 4 minutes; 12 GiB lets a 10-minute run finish.
    [ "$target" = FuzzFormFile ] && leaks+=(-rss_limit_mb=12288)

    # Every saved crash must stay fixed: run them one by one before fuzzing.
    regressions=()
    if [ -d "$seeds/regressions" ]; then
        while IFS= read -r -d '' file; do regressions+=("$file"); done \
            < <(find "$seeds/regressions" -type f ! -name '*.md' -print0 | sort -z)
    fi
    if [ ${#regressions[@]} -gt 0 ] &&
        ! ASAN_OPTIONS="$asan_options" "$BIN/$target" "${leaks[@]}" -artifact_prefix="$artifacts/" "${regressions[@]}" \
            > "$artifacts/regressions.log" 2>&1; then
        echo "fuzz: $target: FAILED: a saved regression input crashes again (log: $artifacts/regressions.log)"
        crash_summary "$artifacts/regressions.log"
        failed=$((failed + 1))
        continue
    fi

    corpus="$WORK/$target"
    mkdir -p "$corpus"
    if [ -d "$seeds" ]; then cp -R "$seeds/." "$corpus/"; fi
    options=(-max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -artifact_prefix="$artifacts/")
    options+=("${leaks[@]}")
    [ -f "$ROOT/Tests/Fuzz/$target.dict" ] && options+=(-dict="$ROOT/Tests/Fuzz/$target.dict")
    status=0
    ASAN_OPTIONS="$asan_options" "$BIN/$target" "${options[@]}" "$corpus" > "$log" 2>&1 || status=$?

    executions="$(stat_of number_of_executed_units "$log")"
    rate="$(stat_of average_exec_per_sec "$log")"
    rss="$(stat_of peak_rss_mb "$log")"
    last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
    corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")"
    summary="${executions:-?} executions (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, peak rss ${rss:-?} MB"
    if [ "$status" -eq 0 ]; then
        echo "fuzz: $target: passed: $summary"
        passed=$((passed + 1))
    else
        echo "fuzz: $target: FAILED (exit $status): $summary"
        find "$artifacts" -maxdepth 1 -type f ! -name '*.log' -printf 'fuzz: %p\n'
        crash_summary "$log"
        echo "fuzz: log: $log"
        failed=$((failed + 1))
    fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
