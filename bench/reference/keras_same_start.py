"""Keras side of bench/native/same-start.mjs: the same model (Embedding(mask_zero) -> LSTM -> Dense softmax, no dropout),
initialised with dgascope's weights, RMSprop (Keras defaults), trained on the same batches in order; prints the losses."""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
from tensorflow import keras  # noqa: E402

split, start, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [line.rstrip("\n").split("\t") for line in open(split, encoding="utf-8") if line.strip()]
train = [(r[2], r[1]) for r in rows if r[0] == "train"][: batches * 128]
chars = sorted({c for s, _ in train for c in s})
index = {c: i + 2 for i, c in enumerate(chars)}
labels = sorted({label for _, label in train})
x = np.zeros((len(train), 75), dtype=np.int32)
for i, (s, _) in enumerate(train):
    ids = [index.get(c, 1) for c in s][-75:]
    x[i, 75 - len(ids):] = ids
y = np.array([labels.index(label) for _, label in train], dtype=np.int32)
w = {k: np.array(v, dtype=np.float32) for k, v in json.load(open(start)).items()}
V, C = len(chars) + 2, len(labels)
model = keras.Sequential([
    keras.Input(shape=(75,), dtype="int32"),
    keras.layers.Embedding(V, 128, mask_zero=True),
    keras.layers.LSTM(128),
    keras.layers.Dense(C),
    keras.layers.Activation("softmax"),
])
model.layers[0].set_weights([w["embeddings"].reshape(V, 128)])
model.layers[1].set_weights([w["kernel"].reshape(128, 512), w["recurrentKernel"].reshape(128, 512), w["bias"]])
model.layers[2].set_weights([w["denseKernel"].reshape(128, C), w["denseBias"]])
model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")
print(json.dumps([float(model.train_on_batch(x[b * 128:(b + 1) * 128], y[b * 128:(b + 1) * 128])) for b in range(batches)]))
