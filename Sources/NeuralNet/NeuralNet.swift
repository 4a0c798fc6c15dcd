// The NeuralNet module. See README.md, "Architecture".
