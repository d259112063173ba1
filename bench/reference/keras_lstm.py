"""Keras reference peer: the seed notebook's / Endgame paper's model (or, with --arch cnn, dgascope's residual CNN),
trained on the same split as dgascope.

    bench/.cache/venv/bin/python bench/reference/keras_lstm.py bench/.cache/ml-split-registered-domain.tsv \
        --epochs 5 --out bench/results/keras-main.json

Model (as the seed notebook): Embedding(V, 128, input_length=75) -> LSTM(128) -> Dropout(0.5) -> Dense(C) -> softmax,
categorical cross-entropy (sparse form, same maths), RMSprop (Keras defaults), batch 128, sequences pre-padded to 75
(keras pad_sequences default), no masking. Tokenizer: characters of the training inputs, sorted; 0 = padding,
1 = unknown. Prints one JSON line with the same fields as bench/ml/train.bench.mjs.
"""
import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402


def read_split(path):
    parts = {"train": [], "validation": [], "test": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            part, label, inp = line.split("\t")
            parts[part].append((inp, label))
    return parts


def encode(samples, index, max_len):
    x = np.zeros((len(samples), max_len), dtype=np.int32)
    for i, (s, _) in enumerate(samples):
        ids = [index.get(c, 1) for c in s][-max_len:]
        x[i, max_len - len(ids):] = ids
    return x


def auc_and_tpr(scores, positive):
    order = np.argsort(-scores, kind="mergesort")
    s, p = scores[order], positive[order]
    P, N = p.sum(), len(p) - p.sum()
    # group ties
    distinct = np.where(np.diff(s))[0]
    idx = np.r_[distinct, len(s) - 1]
    tps = np.cumsum(p)[idx]
    fps = (1 + idx) - tps
    tpr = np.r_[0, tps / P]
    fpr = np.r_[0, fps / N]
    auc = float(np.trapezoid(tpr, fpr))
    at = lambda m: float(tpr[fpr <= m].max())
    return auc, {"1e-3": at(1e-3), "1e-4": at(1e-4)}


def report(y_true, probs, labels):
    pred = probs.argmax(1)
    C = len(labels)
    per = []
    for c in range(C):
        tp = int(((pred == c) & (y_true == c)).sum())
        predicted = int((pred == c).sum())
        support = int((y_true == c).sum())
        prec = tp / predicted if predicted else 0.0
        rec = tp / support if support else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per.append({"label": labels[c], "precision": prec, "recall": rec, "f1": f1, "support": support})
    present = [m for m in per if m["support"] > 0]
    macro = sum(m["f1"] for m in present) / len(present)
    weighted = sum(m["f1"] * m["support"] for m in present) / sum(m["support"] for m in present)
    acc = float((pred == y_true).mean())
    return acc, macro, weighted, per


def residual_cnn(vocab, classes, max_len, dim=128, filters=128, kernel=3, blocks=2):
    """dgascope's default preset resnet-cnn (packages/ml/src/cnn.ts) in Keras: Embedding(128) -> Conv1D(128, 3, same) ->
    ReLU -> 2 x [Conv1D -> ReLU -> Conv1D, + skip, ReLU] -> global max-pool over characters -> Dropout(0.5) -> Dense(C)
    softmax; Keras initialisers (glorot-uniform kernels, zero biases, uniform embeddings) as dgascope's. As the LSTM
    reference: inputs pre-padded to 75, no masking (dgascope masks the padding and does not convolve it)."""
    x = inp = keras.Input(shape=(max_len,), dtype="int32")
    x = keras.layers.Embedding(vocab, dim)(x)
    h = keras.layers.Conv1D(filters, kernel, padding="same", activation="relu")(x)
    for _ in range(blocks):
        a = keras.layers.Conv1D(filters, kernel, padding="same", activation="relu")(h)
        h = keras.layers.Activation("relu")(keras.layers.Add()([keras.layers.Conv1D(filters, kernel, padding="same")(a), h]))
    x = keras.layers.GlobalMaxPooling1D()(h)
    x = keras.layers.Dropout(0.5)(x)
    out = keras.layers.Activation("softmax")(keras.layers.Dense(classes)(x))
    return keras.Model(inp, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("split")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--max-len", type=int, default=75)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training samples")
    ap.add_argument("--eval-limit", type=int, default=0, help="use only the first N validation and test samples")
    ap.add_argument("--out", default="")
    ap.add_argument("--tag", default="keras-main")
    ap.add_argument("--mask-zero", action="store_true", help="Embedding(mask_zero=True), as dgascope (the seed: no mask)")
    ap.add_argument("--arch", choices=["lstm", "cnn"], default="lstm", help="cnn: dgascope's residual CNN (preset resnet-cnn)")
    a = ap.parse_args()

    keras.utils.set_random_seed(a.seed)
    parts = read_split(a.split)
    train = parts["train"][: a.limit] if a.limit else parts["train"]
    chars = sorted({c for s, _ in train for c in s})
    index = {c: i + 2 for i, c in enumerate(chars)}
    labels = sorted({l for _, l in train})
    lab = {l: i for i, l in enumerate(labels)}
    val = [(s, l) for s, l in parts["validation"] if l in lab]
    test = [(s, l) for s, l in parts["test"] if l in lab]
    if a.eval_limit:
        val, test = val[: a.eval_limit], test[: a.eval_limit]
    xtr, ytr = encode(train, index, a.max_len), np.array([lab[l] for _, l in train], dtype=np.int32)
    xva, yva = encode(val, index, a.max_len), np.array([lab[l] for _, l in val], dtype=np.int32)
    xte, yte = encode(test, index, a.max_len), np.array([lab[l] for _, l in test], dtype=np.int32)

    if a.arch == "cnn":
        model = residual_cnn(len(chars) + 2, len(labels), a.max_len)
    else:
        model = keras.Sequential([
            keras.Input(shape=(a.max_len,), dtype="int32"),
            keras.layers.Embedding(len(chars) + 2, 128, mask_zero=a.mask_zero),
            keras.layers.LSTM(128),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(len(labels)),
            keras.layers.Activation("softmax"),
        ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.t)
            print(f"[{a.tag}] epoch {epoch + 1}/{a.epochs} {len(xtr) / self.times[-1]:.0f} samples/s {logs}", file=sys.stderr, flush=True)

    timer = Timer()
    t0 = time.perf_counter()
    # validation_data is scored after each epoch (outside the per-epoch timer? no: Keras includes it, so we subtract below)
    hist = model.fit(xtr, ytr, batch_size=a.batch_size, epochs=a.epochs, shuffle=True, verbose=0, callbacks=[timer],
                     validation_data=(xva, yva))
    train_seconds = time.perf_counter() - t0

    model.predict(xte[:2048], batch_size=1024, verbose=0)
    t = time.perf_counter()
    probs = model.predict(xte, batch_size=1024, verbose=0)
    infer_s = time.perf_counter() - t
    # validation pass time, to report pure training throughput like dgascope's
    t = time.perf_counter()
    model.predict(xva, batch_size=1024, verbose=0)
    val_s = time.perf_counter() - t

    acc, macro, weighted, per = report(yte, probs, labels)
    auc = tpr = None
    if "benign" in lab:
        score = 1 - probs[:, lab["benign"]]
        auc, tpr = auc_and_tpr(score, (yte != lab["benign"]).astype(np.int64))
    pure = sum(timer.times) - val_s * len(timer.times)
    result = {
        "impl": "keras", "tag": a.tag, "tfVersion": tf.__version__, "kerasVersion": keras.__version__,
        "threads": {"intra": tf.config.threading.get_intra_op_parallelism_threads(), "inter": tf.config.threading.get_inter_op_parallelism_threads(), "cpus": os.cpu_count()},
        "arch": a.arch, "epochs": a.epochs, "maskZero": a.mask_zero, "train": len(train), "validation": len(val), "test": len(test), "classes": len(labels),
        "trainSamplesPerSec": round(len(xtr) * a.epochs / pure), "trainSamplesPerSecInclValidation": round(len(xtr) * a.epochs / sum(timer.times)),
        "trainSeconds": round(train_seconds), "inferPerSec": round(len(xte) / infer_s),
        "epochSamplesPerSec": [round(len(xtr) / (t - val_s)) for t in timer.times],
        "epochValidationAccuracy": [float(v) for v in hist.history["val_accuracy"]],
        "epochLoss": [float(v) for v in hist.history["loss"]],
        "epochValidationLoss": [float(v) for v in hist.history["val_loss"]],
        "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "accuracy": acc, "macroF1": macro, "microF1": acc, "weightedF1": weighted, "auc": auc, "tprAtFpr": tpr,
        "zeroF1Families": [m["label"] for m in per if m["f1"] == 0], "perClass": per,
        "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()},
    }
    if a.out:
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k not in ("perClass", "history")}))


if __name__ == "__main__":
    main()
