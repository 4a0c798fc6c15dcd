// The Spool module. See README.md, "Architecture".
