#!/usr/bin/python3
"""Train the digits.net convnet on scikit-learn's 8x8 digits with PyTorch.

Run with Debian's Python, which has torch, numpy and scikit-learn:

    /usr/bin/python3 examples/digits/train.py

Writes, next to this file:

    digits.safetensors   the trained state_dict (float32), names as in digits.net
    test_images.npy      the held-out images, N x 8 x 8 x 1 float32 (HWC)
    sample.npy           the first of them alone, 8 x 8 x 1, to try the binary on
    test_labels.npy      their labels (int64), and test_labels.txt, one per line
    torch_pred.npy       PyTorch's predicted class per image (int64), and torch_pred.txt
    torch_logits.npy     PyTorch's logits, N x 10 float32

Everything is deterministic: fixed split, fixed seed, one CPU thread, and
torch.use_deterministic_algorithms, so a second run writes the same bytes.
"""

import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
EPOCHS = 30
BATCH = 32
LR = 1e-3


class Digits(nn.Module):
    """The network of digits.net; attribute names are its layer names."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)    # padding=same
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 2 * 2, 64)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):                               # x: N x 1 x 8 x 8
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)      # conv1, pool1
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)      # conv2, pool2
        x = torch.flatten(x, 1)                         # flat: (C, H, W) order
        x = self.drop(F.relu(self.fc1(x)))              # fc1, drop
        return self.fc2(x)                              # fc2: logits


def save_safetensors(path, tensors):
    """Write {name: float32 ndarray} as safetensors: u64 header length, JSON, data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)          # 1797 x 8 x 8, in [0, 1]
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.2, random_state=0, stratify=labels)

    xt = torch.from_numpy(x_train).unsqueeze(1)                  # N x 1 x 8 x 8 (NCHW)
    yt = torch.from_numpy(y_train)
    xv = torch.from_numpy(x_test).unsqueeze(1)
    yv = torch.from_numpy(y_test)

    model = Digits()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            print(f"epoch {epoch + 1:2d}: loss {total / len(xt):.4f}")

    model.eval()
    train_acc = accuracy(model, xt, yt)
    with torch.no_grad():
        logits = model(xv)
    pred = logits.argmax(1)
    test_acc = (pred == yv).float().mean().item()
    print(f"train accuracy: {train_acc:.4f} ({round(train_acc * len(xt))}/{len(xt)})")
    print(f"test accuracy:  {test_acc:.4f} ({round(test_acc * len(xv))}/{len(xv)})")

    state = {k: v.detach().numpy() for k, v in model.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    save_safetensors(os.path.join(HERE, "digits.safetensors"), state)

    # The images as the netc binary reads them: HWC, so N x 8 x 8 x 1.
    np.save(os.path.join(HERE, "test_images.npy"),
            np.ascontiguousarray(x_test[:, :, :, None], dtype="<f4"))
    np.save(os.path.join(HERE, "sample.npy"),                    # one image to try: 8 x 8 x 1
            np.ascontiguousarray(x_test[0, :, :, None], dtype="<f4"))
    np.save(os.path.join(HERE, "test_labels.npy"), y_test.astype("<i8"))
    np.save(os.path.join(HERE, "torch_pred.npy"), pred.numpy().astype("<i8"))
    np.save(os.path.join(HERE, "torch_logits.npy"), logits.numpy().astype("<f4"))
    # Text copies for check.sh, which runs without numpy.
    np.savetxt(os.path.join(HERE, "test_labels.txt"), y_test, fmt="%d")
    np.savetxt(os.path.join(HERE, "torch_pred.txt"), pred.numpy(), fmt="%d")
    print(f"wrote {len(state)} tensors to digits.safetensors and {len(xv)} test images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
