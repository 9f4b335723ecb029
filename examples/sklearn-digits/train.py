"""Trains a small classifier on scikit-learn's bundled digits data set.

The data ships inside scikit-learn, so the job needs no network. Progress is
printed (and flushed) as it trains; the model and its metrics go to the
folder named by DTRAIN_OUTPUT (default /output): model.pkl and metrics.json.
"""

import json
import os
import pickle
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

EPOCHS = 20


def log(message):
    print(f"[train] {message}", flush=True)


def main():
    output = os.environ.get("DTRAIN_OUTPUT", "/output")
    os.makedirs(output, exist_ok=True)
    started = time.monotonic()

    digits = load_digits()
    log(f"loaded {len(digits.data)} images of {digits.images.shape[1:]} pixels")
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.25, random_state=42,
        stratify=digits.target)
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)

    # One pass per epoch so the log shows the model getting better.
    model = SGDClassifier(loss="log_loss", alpha=1e-4, random_state=42)
    classes = np.unique(digits.target)
    rng = np.random.default_rng(42)
    for epoch in range(1, EPOCHS + 1):
        order = rng.permutation(len(x_train))
        model.partial_fit(x_train[order], y_train[order], classes=classes)
        accuracy = float(model.score(x_test, y_test))
        log(f"epoch {epoch:2d}/{EPOCHS} test accuracy {accuracy:.4f}")
        # Paced a little, so `dtrain logs --follow` shows it learning as it goes.
        time.sleep(0.25)

    with open(os.path.join(output, "model.pkl"), "wb") as f:
        pickle.dump({"scaler": scaler, "model": model}, f)
    metrics = {
        "accuracy": accuracy,
        "epochs": EPOCHS,
        "test_samples": int(len(x_test)),
        "seconds": round(time.monotonic() - started, 3),
    }
    with open(os.path.join(output, "metrics.json"), "w") as f:
        json.dump(metrics, f, sort_keys=True)
        f.write("\n")
    log(f"wrote model.pkl and metrics.json to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
