#!/usr/bin/env bash
# Builds the libFuzzer harnesses in scripts/fuzz/ and runs each for a bounded time.
#
#   scripts/fuzz.sh [--seconds N] [--build-only] [target...]
#
# Targets (default: all):
#   job         JobRequest.parse and PolicyConfig.load            (Sources/Policy)
#   jpeg        JPEGDecoder.header(of:) and decode at every scale (Sources/Imaging, Sources/CJPEGGuard)
#   shape       ShapePredictorModel(bytes:file:), then FaceEngine's ShapePredictor built from
#               each accepted model and run on a small image       (Sources/DlibFormat, FaceEngine)
#   dnn         FaceRecognitionModel / FaceDetectorModel(bytes:)  (Sources/DlibFormat)
#   dlibreader  DlibReader primitives                             (Sources/DlibFormat)
#   requests    the drop-box requests' parsers: ReviewRequest, ApprovalRequest, ResolutionRequest,
#               OutcomeRequest.parse; what they accept has no control characters and round-trips
#               (Sources/Reviews, with Policy, Store, Audit, Results, SystemCalls below it)
#   ansinist    NISTReader.read and BookingTransaction             (Sources/ANSINIST)
#
# Each harness is compiled with `swiftc -sanitize=fuzzer,address -parse-as-library -O` against
# the module it tests, itself compiled with the same sanitizers into .build-fuzz/ (the C guard
# with clang -fsanitize=fuzzer-no-link,address). Each target runs for N seconds (default 60) with
# -rss_limit_mb=2048, -timeout=10 and -use_value_profile=1, one after another. Swift's own crash
# backtracer is turned off (SWIFT_BACKTRACE=enable=no): under ASan it hangs instead of letting
# libFuzzer report the crash and save the input. Dictionaries: scripts/fuzz/job.dict (JSON and the
# job/policy keys), requests.dict (the requests' keys, control and invisible characters), jpeg.dict (markers, Exif orientation), dlib.dict (dlib integer edge values and
# layer tags; with it the Int64.min matrix-dimension trap was found in ~11,000 runs, without it not
# in 4.5 million), ansinist.dict (separators, tags, Type-10 values). Objects are rebuilt when a module's sources change; delete .build-fuzz after
# changing the flags here. Corpora:
#   .build-fuzz/corpus/<target>   the working corpus (grows from run to run; written by libFuzzer)
#   .build-fuzz/seeds/<target>    seeds made here: small fixture JPEGs, prefixes of the model files
#                                 in $FRS_MODELS (default /work/shared/models or <repo>/models)
#   Tests/Fixtures/fuzz/<target>  committed inputs: past crashes and interesting corpus entries
#                                 (also run by the FuzzRegressionTests of the owning test target)
# Crashes, timeouts and out-of-memory inputs land in .build-fuzz/artifacts/<target>/; libFuzzer's
# output in .build-fuzz/logs/<target>.log. To replay one input:
#   SWIFT_BACKTRACE=enable=no .build-fuzz/bin/<target> <file>
# Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/.build-fuzz"
SWIFTC=${SWIFTC:-swiftc}
CLANG=${CLANG:-$(dirname "$(command -v "$SWIFTC")")/clang}
ALL_TARGETS=(job jpeg shape dnn dlibreader requests ansinist)

seconds=60
build_only=0
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --seconds=*) seconds="${1#*=}"; shift ;;
        --build-only) build_only=1; shift ;;
        -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target $t (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
done

models=${FRS_MODELS:-}
[[ -n "$models" ]] || for d in "$ROOT/models" "$ROOT/../shared/models" /work/shared/models; do
    [[ -f "$d/mmod_human_face_detector.dat" ]] && { models=$d; break; }
done

SAN=(-sanitize=fuzzer,address)
SWIFT_FLAGS=("${SAN[@]}" -parse-as-library -O -g -swift-version 6 -enable-upcoming-feature ExistentialAny)
mkdir -p "$OUT"/{mods,obj,bin,logs,cmods/CJPEGGuard}

# A Swift module's sources → .build-fuzz/obj/<Module>.o and .build-fuzz/mods/<Module>.swiftmodule.
build_module() {
    local module=$1; shift
    local obj="$OUT/obj/$module.o"
    local newest
    newest=$(ls -t "$ROOT/Sources/$module"/*.swift | head -1)
    [[ -f "$obj" && "$obj" -nt "$newest" ]] && return 0
    echo "fuzz.sh: compiling module $module"
    "$SWIFTC" "${SWIFT_FLAGS[@]}" "$@" -module-name "$module" -wmo -c "$ROOT/Sources/$module"/*.swift \
        -emit-module -emit-module-path "$OUT/mods/$module.swiftmodule" -I "$OUT/mods" -o "$obj"
}

build_cjpegguard() {
    local obj="$OUT/obj/jpeg_guard.o"
    cat > "$OUT/cmods/CJPEGGuard/module.modulemap" <<EOF
module CJPEGGuard {
    header "$ROOT/Sources/CJPEGGuard/include/jpeg_guard.h"
    export *
}
EOF
    [[ -f "$obj" && "$obj" -nt "$ROOT/Sources/CJPEGGuard/jpeg_guard.c" && "$obj" -nt "$ROOT/Sources/CJPEGGuard/include/jpeg_guard.h" ]] && return 0
    echo "fuzz.sh: compiling jpeg_guard.c"
    "$CLANG" -fsanitize=fuzzer-no-link,address -O1 -g -c "$ROOT/Sources/CJPEGGuard/jpeg_guard.c" \
        -I "$ROOT/Sources/CJPEGGuard/include" -o "$obj"
}

# Harness scripts/fuzz/<target>.swift + module objects → .build-fuzz/bin/<target>.
build_target() {
    local t=$1 links=() includes=()
    case "$t" in
        job) build_module Basics; build_module Policy; links=("$OUT/obj/Basics.o" "$OUT/obj/Policy.o") ;;
        ansinist) build_module ANSINIST; links=("$OUT/obj/ANSINIST.o") ;;
        requests)
            build_module Basics; build_module Hashing; build_module Policy
            build_module SystemCalls -I "$ROOT/Sources/CStatFS"
            build_module Store -I "$ROOT/Sources/CSQLite" -I "$ROOT/Sources/CStatFS"
            build_module Audit -I "$ROOT/Sources/CStatFS"
            build_module Results -I "$ROOT/Sources/CStatFS"
            build_module Reviews -I "$ROOT/Sources/CSQLite" -I "$ROOT/Sources/CStatFS"
            links=()
            for m in Basics Hashing Policy SystemCalls Store Audit Results Reviews; do links+=("$OUT/obj/$m.o"); done
            links+=(-lsqlite3)
            includes=(-I "$ROOT/Sources/CSQLite" -I "$ROOT/Sources/CStatFS") ;;
        jpeg)
            build_cjpegguard
            build_module Imaging -I "$OUT/cmods/CJPEGGuard"
            links=("$OUT/obj/Imaging.o" "$OUT/obj/jpeg_guard.o" -ljpeg) ;;
        dnn|dlibreader) build_module DlibFormat; links=("$OUT/obj/DlibFormat.o") ;;
        shape)
            build_module DlibFormat
            build_cjpegguard
            build_module Imaging -I "$OUT/cmods/CJPEGGuard"
            build_module NeuralNet
            build_module FaceEngine -I "$OUT/cmods/CJPEGGuard"
            links=("$OUT/obj/DlibFormat.o" "$OUT/obj/Imaging.o" "$OUT/obj/jpeg_guard.o" "$OUT/obj/NeuralNet.o"
                   "$OUT/obj/FaceEngine.o" -ljpeg) ;;
    esac
    local bin="$OUT/bin/$t" input
    if [[ -f "$bin" ]]; then
        local stale=0
        for input in "$ROOT/scripts/fuzz/$t.swift" "${links[@]}"; do
            [[ "$input" == -* || "$input" -ot "$bin" ]] || stale=1
        done
        ((stale)) || return 0
    fi
    echo "fuzz.sh: linking $t"
    "$SWIFTC" "${SWIFT_FLAGS[@]}" -I "$OUT/mods" -I "$OUT/cmods/CJPEGGuard" "${includes[@]}" "$ROOT/scripts/fuzz/$t.swift" \
        "${links[@]}" -o "$OUT/bin/$t" 2> >(grep -v "Cannot export local symbol '__asan" >&2)
}

# Seeds that are not committed (they come from fixtures or the model files).
make_seeds() {
    local t=$1 dir="$OUT/seeds/$1"
    rm -rf "$dir"; mkdir -p "$dir"
    case "$t" in
        job)
            cp "$ROOT"/jobs/examples/*.json "$dir"/ 2>/dev/null || true ;;
        jpeg)
            # Only the small fixtures: big photos make slow inputs and teach the fuzzer nothing new.
            find "$ROOT/Tests/Fixtures/images" -type f -size -4k -exec cp {} "$dir"/ \; ;;
        shape)
            [[ -n "$models" ]] && head -c 4096 "$models/shape_predictor_5_face_landmarks.dat" > "$dir/sp5-prefix-4k" ;;
        dnn)
            if [[ -n "$models" ]]; then
                cp "$models/mmod_human_face_detector.dat" "$dir/mmod-full"
                head -c 65536 "$models/mmod_human_face_detector.dat" > "$dir/mmod-prefix-64k"
                head -c 262144 "$models/dlib_face_recognition_resnet_model_v1.dat" > "$dir/resnet-prefix-256k"
            fi ;;
        ansinist)
            # The small reference transactions whole; the big ones' first 4 KiB (their Type-1 and Type-2).
            cp "$ROOT"/Tests/Fixtures/ansi-nist/valid1.3.an2 "$dir"/
            for f in "$ROOT"/Tests/Fixtures/ansi-nist/*.an2; do head -c 4096 "$f" > "$dir/$(basename "$f").4k"; done ;;
        dlibreader)
            [[ -n "$models" ]] && head -c 512 "$models/dlib_face_recognition_resnet_model_v1.dat" > "$dir/resnet-prefix-512" ;;
    esac
}

max_len() {
    case "$1" in
        job) echo 16384 ;;
        requests) echo 8192 ;;
        jpeg) echo 16384 ;;
        shape) echo 8192 ;;
        dnn) echo 800000 ;;
        dlibreader) echo 4096 ;;
        ansinist) echo 32768 ;;
    esac
}

for t in "${targets[@]}"; do build_target "$t"; done
((build_only)) && exit 0

status=0
summary=()
for t in "${targets[@]}"; do
    make_seeds "$t"
    mkdir -p "$OUT/corpus/$t" "$OUT/artifacts/$t" "$ROOT/Tests/Fixtures/fuzz/$t"
    extra=()
    case "$t" in
        job) extra+=("-dict=$ROOT/scripts/fuzz/job.dict") ;;
        requests) extra+=("-dict=$ROOT/scripts/fuzz/requests.dict") ;;
        jpeg) extra+=("-dict=$ROOT/scripts/fuzz/jpeg.dict") ;;
        shape|dnn|dlibreader) extra+=("-dict=$ROOT/scripts/fuzz/dlib.dict") ;;
        ansinist) extra+=("-dict=$ROOT/scripts/fuzz/ansinist.dict") ;;
    esac
    log="$OUT/logs/$t.log"
    echo "fuzz.sh: running $t for ${seconds}s (log: $log)"
    rc=0
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$OUT/bin/$t" "$OUT/corpus/$t" "$OUT/seeds/$t" "$ROOT/Tests/Fixtures/fuzz/$t" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len "$t")" \
        -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t/" "${extra[@]}" > "$log" 2>&1 || rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
    line="$t: rc=$rc execs=${execs:-?} exec/s=${rate:-?} ${cov:-}"
    if ((rc != 0)); then
        status=1
        line+=" FOUND: $(grep -m1 -oE 'ERROR: libFuzzer: [a-z-]+|ERROR: AddressSanitizer: [a-zA-Z-]+|Fatal error: .*|SUMMARY: .*' "$log" || echo "see log")"
        line+=" input: $(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')"
    fi
    echo "fuzz.sh: $line"
    summary+=("$line")
done
echo
printf '%s\n' "${summary[@]}"
exit $status
