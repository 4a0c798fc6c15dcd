// The Policy module. See README.md, "Architecture".
