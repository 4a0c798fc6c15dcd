// The FaceEngine module. See README.md, "Architecture".
