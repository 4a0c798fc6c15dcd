// The Matching module. See README.md, "Architecture".
