"""Sentence meaning on the machine: the one module that runs the language model."""
