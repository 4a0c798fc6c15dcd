// The Hashing module. See README.md, "Architecture".
