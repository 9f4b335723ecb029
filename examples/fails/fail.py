# examples/fails: a job that fails on purpose, to see how dtrain reports it.
# It prints a line, then exits with code 3 and a message on stderr.
import sys

print("starting a job that is going to fail", flush=True)
print("fails: giving up on purpose (exit 3)", file=sys.stderr, flush=True)
sys.exit(3)
