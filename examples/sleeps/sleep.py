# examples/sleeps: a job that runs past any short timeout (10 minutes by
# default, or DTRAIN_SLEEP_SECONDS), printing one line a second, to see a
# timeout stop it.
import os
import sys
import time

seconds = int(os.environ.get("DTRAIN_SLEEP_SECONDS", "600"))
for tick in range(1, seconds + 1):
    print(f"still sleeping: {tick} s", flush=True)
    time.sleep(1)
print("woke up", flush=True)
sys.exit(0)
