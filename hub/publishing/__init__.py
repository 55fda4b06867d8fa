"""Publishing: select, resolve, render, validate, write, record. One pipeline for every channel."""
