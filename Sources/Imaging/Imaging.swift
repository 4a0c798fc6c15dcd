// The Imaging module. See README.md, "Architecture".
