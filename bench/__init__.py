"""Load and latency benchmarks. Each prints JSON and writes it under bench/results/."""
