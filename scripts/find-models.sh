# Sourced by the benchmark scripts (from the repository's root): FRS_MODELS is the models directory:
# $FRS_MODELS, else ./models, else ../shared/models (when ./models lacks the detector).
export FRS_MODELS="${FRS_MODELS:-$PWD/models}"
if [ ! -f "$FRS_MODELS/mmod_human_face_detector.dat" ] && [ -f ../shared/models/mmod_human_face_detector.dat ]; then
  FRS_MODELS=$(cd ../shared/models && pwd)
fi
