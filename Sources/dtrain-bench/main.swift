import DTrainCore

// Placeholder; the benchmarks land with the claim protocol.
print("dtrain-bench: no benchmarks yet")
