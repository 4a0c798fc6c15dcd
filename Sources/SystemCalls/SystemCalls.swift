// The SystemCalls module. See README.md, "Architecture".
