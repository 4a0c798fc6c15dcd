// The Audit module. See README.md, "Architecture".
