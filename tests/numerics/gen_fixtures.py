#!/usr/bin/python3
"""Generate the numerical fixtures of netc build.

    /usr/bin/python3 tests/numerics/gen_fixtures.py [--netc PATH] [--only NAME...]
                                                    [--skip-examples]

Writes tests/numerics/fixtures/NAME/ (model.net, weights.safetensors unless the
network has no weights, input.npy, expected.npy; input.K.npy / expected.K.npy
for networks with several inputs or outputs) and tests/numerics/examples/NAME/
(model.ref, the example's path from the repository root; seed, the
--random-weights seed; input.npy; expected.npy).

The reference is PyTorch in float64 (netref.py), from the float32 weights and
input, cast to float32 at the end.  Needs Debian's python3-torch (run with
/usr/bin/python3); python3-torchvision, where installed, cross-checks the
torchvision examples.  Where a netc binary is found (--netc, else build/netc),
every fixture is also checked against `netc summary --format=json`: the same
layer names, ops, shapes and outputs, so the weight names and the reference's
shapes are netc's.  See README.md.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import netref  # noqa: E402

torch.set_num_threads(1)          # same float64 sums on every run

# ----------------------------------------------------------------------------
# The fixtures.  Each: name (also the network's name), what it covers, the
# statements of the network (the input statements included), and options:
#   scale, offset: input = offset + scale * N(0, 1)
#   bn_var: range of the batchnorm running variances (small ones make the
#           epsilon matter)
#   state_dict_extras: add an I64 num_batches_tracked per batchnorm, as a
#           PyTorch state_dict saved as safetensors has
#   batch1: write input.npy with shape (1, H, W, C)

FIXTURES = []


def fx(name, covers, body, **opts):
    FIXTURES.append(dict(name=name, covers=covers, body=body, **opts))


def inp(h, w=None, c=None):
    if w is None:
        return "x = input(shape=(%d));" % h
    return "x = input(shape=(%d, %d, %d));" % (h, w, c)


# --- conv2d: kernels
fx("conv_k1", "conv2d kernel 1", [inp(7, 9, 3), "conv2d(filters=4, kernel=1);"])
fx("conv_k3", "conv2d kernel 3, valid", [inp(7, 9, 3), "conv2d(filters=4, kernel=3);"])
fx("conv_k5", "conv2d kernel 5, valid", [inp(7, 9, 3), "conv2d(filters=4, kernel=5);"])
fx("conv_k3x5", "conv2d kernel (kh, kw) = (3, 5)", [inp(7, 9, 3), "conv2d(filters=4, kernel=(3, 5));"])
fx("conv_k1x3", "conv2d kernel (1, 3)", [inp(7, 9, 3), "conv2d(filters=4, kernel=(1, 3));"])
# --- conv2d: strides
fx("conv_s2", "conv2d stride 2 (9x11 input: last row/column dropped)", [inp(9, 11, 3), "conv2d(filters=4, kernel=3, stride=2);"])
fx("conv_s2x1", "conv2d stride (2, 1)", [inp(9, 11, 3), "conv2d(filters=4, kernel=3, stride=(2, 1));"])
# --- conv2d: padding forms
fx("conv_same_s1_odd", "padding same, stride 1, odd input (1 / 1)", [inp(7, 9, 3), "conv2d(filters=4, kernel=3, padding=same);"])
fx("conv_same_s1_even", "padding same, stride 1, even input (1 / 1)", [inp(8, 10, 3), "conv2d(filters=4, kernel=3, padding=same);"])
fx("conv_same_k4_s1", "padding same, even kernel 4, stride 1: total 3, (1, 2): the extra at bottom/right", [inp(8, 10, 3), "conv2d(filters=4, kernel=4, padding=same);"])
fx("conv_same_s2_odd", "padding same, stride 2, odd input 7x9: total 2, (1, 1)", [inp(7, 9, 3), "conv2d(filters=4, kernel=3, stride=2, padding=same);"])
fx("conv_same_s2_even", "padding same, stride 2, even input 8x10: total 1, (0, 1)", [inp(8, 10, 3), "conv2d(filters=4, kernel=3, stride=2, padding=same);"])
fx("conv_same_k5_s2_even", "padding same, kernel 5, stride 2, even input: total 3, (1, 2)", [inp(8, 10, 3), "conv2d(filters=4, kernel=5, stride=2, padding=same);"])
fx("conv_same_k1_s2", "padding same, kernel 1, stride 2: negative total clamped to 0", [inp(8, 9, 3), "conv2d(filters=4, kernel=1, stride=2, padding=same);"])
fx("conv_same_s3", "padding same, stride 3 on 8x10: H (0, 1), W (1, 1)", [inp(8, 10, 3), "conv2d(filters=4, kernel=3, stride=3, padding=same);"])
fx("conv_same_k3x5_s2x1", "padding same with kernel (3, 5) and stride (2, 1) on 8x9: H (0, 1), W (2, 2)", [inp(8, 9, 3), "conv2d(filters=4, kernel=(3, 5), stride=(2, 1), padding=same);"])
fx("conv_pad1", "padding 1 (int)", [inp(7, 9, 3), "conv2d(filters=4, kernel=3, padding=1);"])
fx("conv_pad2_k5", "padding 2 (int), kernel 5", [inp(7, 9, 3), "conv2d(filters=4, kernel=5, padding=2);"])
fx("conv_pad_pair", "padding (ph, pw) = (1, 2)", [inp(7, 9, 3), "conv2d(filters=4, kernel=3, padding=(1, 2));"])
fx("conv_pad_4tuple", "padding (top, bottom, left, right) = (0, 2, 1, 0)", [inp(7, 9, 3), "conv2d(filters=4, kernel=3, padding=(0, 2, 1, 0));"])
fx("conv_pad_4tuple_s2", "padding (2, 1, 0, 1) with stride 2", [inp(8, 9, 3), "conv2d(filters=4, kernel=3, stride=2, padding=(2, 1, 0, 1));"])
# --- conv2d: dilation, groups, bias
fx("conv_dilation2", "dilation 2 (effective kernel 5)", [inp(9, 11, 3), "conv2d(filters=4, kernel=3, dilation=2);"])
fx("conv_dilation2x1_same", "dilation (2, 1) with padding same: H total 4, W total 2", [inp(8, 9, 3), "conv2d(filters=4, kernel=3, dilation=(2, 1), padding=same);"])
fx("conv_dilation2_s2_same", "dilation 2, stride 2, padding same on 8x10: total 3, (1, 2)", [inp(8, 10, 3), "conv2d(filters=4, kernel=3, dilation=2, stride=2, padding=same);"])
fx("conv_groups2", "groups 2 (4 -> 6 channels)", [inp(7, 9, 4), "conv2d(filters=6, kernel=3, groups=2);"])
fx("conv_groups4", "groups 4 (8 -> 4 channels), padding 1", [inp(7, 9, 8), "conv2d(filters=4, kernel=3, groups=4, padding=1);"])
fx("conv_nobias", "bias=false", [inp(7, 9, 3), "conv2d(filters=4, kernel=3, bias=false);"])
# --- conv2d: activations
for act, scale in [("linear", 1.0), ("relu", 1.0), ("relu6", 12.0), ("sigmoid", 3.0),
                   ("tanh", 3.0), ("softmax", 3.0), ("leaky_relu", 1.0)]:
    fx("conv_act_" + act, "conv2d activation=%s%s" % (
        act, " (input x12 so that outputs pass 6)" if act == "relu6" else
        " (over channels)" if act == "softmax" else
        " (alpha 0.01, the default)" if act == "leaky_relu" else ""),
       [inp(7, 9, 3), "conv2d(filters=5, kernel=3, activation=%s);" % act], scale=scale)

# --- depthwise_conv2d
fx("dw_m1", "depthwise kernel 3, multiplier 1", [inp(7, 9, 3), "depthwise_conv2d(kernel=3);"])
fx("dw_m2", "depthwise multiplier 2 (channel c*2+j reads c), padding 1", [inp(7, 9, 3), "depthwise_conv2d(kernel=3, multiplier=2, padding=1);"])
fx("dw_m3_k3x1", "depthwise multiplier 3, kernel (3, 1)", [inp(7, 9, 2), "depthwise_conv2d(kernel=(3, 1), multiplier=3);"])
fx("dw_s2_same_even", "depthwise stride 2, padding same, even input: (0, 1)", [inp(8, 10, 4), "depthwise_conv2d(kernel=3, stride=2, padding=same);"])
fx("dw_s2_same_odd", "depthwise stride 2, padding same, odd input: (1, 1)", [inp(7, 9, 4), "depthwise_conv2d(kernel=3, stride=2, padding=same);"])
fx("dw_dilation2_same", "depthwise dilation 2, padding same", [inp(9, 10, 4), "depthwise_conv2d(kernel=3, dilation=2, padding=same);"])
fx("dw_nobias_relu6", "depthwise bias=false, activation=relu6", [inp(7, 9, 3), "depthwise_conv2d(kernel=3, bias=false, activation=relu6);"], scale=12.0)
fx("dw_m2_s2x1_pad4", "depthwise multiplier 2, stride (2, 1), padding (1, 1, 0, 2)", [inp(8, 9, 3), "depthwise_conv2d(kernel=3, multiplier=2, stride=(2, 1), padding=(1, 1, 0, 2));"])

# --- maxpool2d (input mostly negative: a padded zero would win if picked)
NEG = dict(offset=-3.0)
fx("maxpool_2", "maxpool size 2 on 7x9 (floor: last row/column unread)", [inp(7, 9, 3), "maxpool2d(size=2);"], **NEG)
fx("maxpool_3", "maxpool size 3", [inp(7, 9, 3), "maxpool2d(size=3);"], **NEG)
fx("maxpool_3_s2", "maxpool size 3, stride 2 (overlapping)", [inp(9, 11, 3), "maxpool2d(size=3, stride=2);"], **NEG)
fx("maxpool_2_s1", "maxpool size 2, stride 1", [inp(7, 9, 3), "maxpool2d(size=2, stride=1);"], **NEG)
fx("maxpool_2x3_s1x2", "maxpool size (2, 3), stride (1, 2)", [inp(7, 9, 3), "maxpool2d(size=(2, 3), stride=(1, 2));"], **NEG)
fx("maxpool_3_s2_p1", "maxpool size 3, stride 2, padding 1 (ResNet stem)", [inp(8, 9, 3), "maxpool2d(size=3, stride=2, padding=1);"], **NEG)
fx("maxpool_same_s2_even", "maxpool size 3, stride 2, padding same on 8x10: (0, 1)", [inp(8, 10, 3), "maxpool2d(size=3, stride=2, padding=same);"], **NEG)
fx("maxpool_same_k2_odd", "maxpool size 2, padding same on 7x9: (0, 1)", [inp(7, 9, 3), "maxpool2d(size=2, padding=same);"], **NEG)
fx("maxpool_pad_4tuple", "maxpool size 3, stride 2, padding (1, 0, 0, 1)", [inp(8, 9, 3), "maxpool2d(size=3, stride=2, padding=(1, 0, 0, 1));"], **NEG)
fx("maxpool_ceil", "maxpool size 2, ceil: a partial last window past the input", [inp(7, 9, 3), "maxpool2d(size=2, ceil=true);"], **NEG)
fx("maxpool_ceil_3_s2", "maxpool size 3, stride 2, ceil on 8x10: 4x5 with partial windows", [inp(8, 10, 3), "maxpool2d(size=3, stride=2, ceil=true);"], **NEG)
fx("maxpool_ceil_p1_drop", "maxpool size 2, stride 2, padding 1, ceil on 5x7: the window that would start in the end padding is dropped (3x4, not 4x5)", [inp(5, 7, 3), "maxpool2d(size=2, stride=2, padding=1, ceil=true);"], **NEG)
fx("maxpool_ceil_p1_keep", "maxpool size 3, stride 2, padding 1, ceil on 6x8: the last window starts on the last row and reaches past the end padding (4x5)", [inp(6, 8, 3), "maxpool2d(size=3, stride=2, padding=1, ceil=true);"], **NEG)

# --- avgpool2d
fx("avgpool_2", "avgpool size 2", [inp(7, 9, 3), "avgpool2d(size=2);"])
fx("avgpool_3_s2", "avgpool size 3, stride 2", [inp(9, 11, 3), "avgpool2d(size=3, stride=2);"])
fx("avgpool_2_s1", "avgpool size 2, stride 1", [inp(7, 9, 3), "avgpool2d(size=2, stride=1);"])
fx("avgpool_3_s2_p1", "avgpool size 3, stride 2, padding 1, count_pad=true (default: divide by 9)", [inp(8, 9, 3), "avgpool2d(size=3, stride=2, padding=1);"])
fx("avgpool_3_s2_p1_nocount", "as avgpool_3_s2_p1 with count_pad=false (divide by the real cells)", [inp(8, 9, 3), "avgpool2d(size=3, stride=2, padding=1, count_pad=false);"])
fx("avgpool_same_s2_even", "avgpool size 3, stride 2, padding same on 8x10 (0, 1), count_pad=true", [inp(8, 10, 3), "avgpool2d(size=3, stride=2, padding=same);"])
fx("avgpool_same_s2_even_nocount", "as avgpool_same_s2_even with count_pad=false (TensorFlow's SAME average)", [inp(8, 10, 3), "avgpool2d(size=3, stride=2, padding=same, count_pad=false);"])
fx("avgpool_same_s1_odd", "avgpool size 3, stride 1, padding same, count_pad=true", [inp(7, 9, 3), "avgpool2d(size=3, stride=1, padding=same);"])
fx("avgpool_same_s1_odd_nocount", "avgpool size 3, stride 1, padding same, count_pad=false (TensorFlow)", [inp(7, 9, 3), "avgpool2d(size=3, stride=1, padding=same, count_pad=false);"])
fx("avgpool_pad_4tuple", "avgpool size 3, stride 2, padding (1, 0, 0, 1), count_pad=true", [inp(8, 9, 3), "avgpool2d(size=3, stride=2, padding=(1, 0, 0, 1));"])
fx("avgpool_pad_4tuple_nocount", "avgpool size 3, stride 2, padding (1, 0, 0, 1), count_pad=false", [inp(8, 9, 3), "avgpool2d(size=3, stride=2, padding=(1, 0, 0, 1), count_pad=false);"])
fx("avgpool_pair_pad", "avgpool size (2, 3), stride (2, 1), padding (1, 1) pair", [inp(7, 9, 3), "avgpool2d(size=(2, 3), stride=(2, 1), padding=(1, 1));"])
fx("avgpool_ceil", "avgpool size 3, stride 2, ceil, no padding on 8x10: partial windows divide by their cells inside the input", [inp(8, 10, 3), "avgpool2d(size=3, stride=2, ceil=true);"])
fx("avgpool_ceil_p1", "avgpool size 3, stride 2, padding 1, ceil on 6x8, count_pad=true: the last window reaches past the padded input; divide by its cells inside the padded input (PyTorch)", [inp(6, 8, 3), "avgpool2d(size=3, stride=2, padding=1, ceil=true);"])
fx("avgpool_ceil_p1_nocount", "as avgpool_ceil_p1 with count_pad=false", [inp(6, 8, 3), "avgpool2d(size=3, stride=2, padding=1, ceil=true, count_pad=false);"])
fx("avgpool_ceil_p1_drop", "avgpool size 2, stride 2, padding 1, ceil on 5x7: a window that would start in the end padding is dropped", [inp(5, 7, 3), "avgpool2d(size=2, stride=2, padding=1, ceil=true);"])

# --- global pools
fx("global_avgpool", "global_avgpool2d -> (C)", [inp(5, 6, 4), "global_avgpool2d();"])
fx("global_maxpool", "global_maxpool2d -> (C), negative input", [inp(5, 6, 4), "global_maxpool2d();"], offset=-3.0)

# --- batchnorm (running variances in [0.01, 1]: epsilon 1e-3 vs 1e-5 shows)
fx("bn", "batchnorm standalone, epsilon default 1e-5", [inp(5, 6, 4), "batchnorm();"])
fx("bn_eps1e3", "batchnorm standalone, epsilon 1e-3", [inp(5, 6, 4), "batchnorm(epsilon=1e-3);"], bn_var=(0.002, 0.05))
fx("conv_bn", "conv2d (bias=false) -> batchnorm(epsilon=1e-3): foldable", [inp(7, 9, 3), "c = conv2d(filters=4, kernel=3, padding=same, bias=false);", "bn = batchnorm(epsilon=1e-3);"])
fx("conv_bias_bn", "conv2d with bias -> batchnorm: foldable, the bias folds too", [inp(7, 9, 3), "c = conv2d(filters=4, kernel=3);", "bn = batchnorm();"])
fx("conv_relu_bn", "conv2d activation=relu -> batchnorm: not foldable", [inp(7, 9, 3), "c = conv2d(filters=4, kernel=3, activation=relu);", "bn = batchnorm();"])
fx("conv_bn_relu6", "conv2d -> batchnorm -> relu6 (MobileNet's pattern)", [inp(7, 9, 3), "c = conv2d(filters=4, kernel=3, stride=2, padding=same, bias=false);", "bn = batchnorm(epsilon=1e-3);", "r = relu6();"], scale=6.0)
fx("dw_bn_relu6", "depthwise_conv2d -> batchnorm -> relu6", [inp(7, 9, 4), "d = depthwise_conv2d(kernel=3, padding=same, bias=false);", "bn = batchnorm(epsilon=1e-3);", "r = relu6();"], scale=6.0)
fx("bn_then_conv_pad", "batchnorm -> conv2d padding 1 (folding the batchnorm into the conv would be wrong at the zero-padded border)", [inp(6, 7, 3), "bn = batchnorm();", "c = conv2d(filters=4, kernel=3, padding=1);"])
fx("dense_bn", "dense -> batchnorm on a flat tensor (BatchNorm1d)", [inp(12), "d = dense(units=6);", "bn = batchnorm();"])

# --- activations as layers
fx("relu", "relu layer", [inp(5, 6, 3), "relu();"])
fx("relu6", "relu6 layer (input x5, so values pass 6)", [inp(5, 6, 3), "relu6();"], scale=5.0)
fx("sigmoid", "sigmoid layer", [inp(5, 6, 3), "sigmoid();"], scale=4.0)
fx("tanh", "tanh layer", [inp(5, 6, 3), "tanh();"], scale=3.0)
fx("softmax_spatial", "softmax over the channels of a spatial tensor", [inp(5, 6, 5), "softmax();"], scale=2.0)
fx("softmax_flat", "softmax over a flat vector", [inp(12), "softmax();"], scale=2.0)
fx("softmax_large", "softmax over logits around 100 (exp overflows float32 past 88.7 unless the max is subtracted first)", [inp(10), "softmax();"], offset=100.0, scale=10.0)
fx("linear", "linear layer (identity)", [inp(5, 6, 3), "linear();"])
fx("leaky_relu", "leaky_relu layer, default alpha 0.01", [inp(5, 6, 3), "leaky_relu();"])
fx("leaky_relu_02", "leaky_relu(alpha=0.2)", [inp(5, 6, 3), "leaky_relu(alpha=0.2);"])
fx("conv_then_relu", "conv2d then a separate relu layer (fusable)", [inp(7, 9, 3), "c = conv2d(filters=4, kernel=3);", "r = relu();"])
fx("dropout", "dropout(rate=0.3) between convs: identity", [inp(7, 9, 3), "c1 = conv2d(filters=4, kernel=3);", "d = dropout(rate=0.3);", "c2 = conv2d(filters=3, kernel=3);"])

# --- flatten, dense
fx("flatten_chw", "flatten() as an output: (C, H, W) order", [inp(3, 4, 5), "flatten();"])
fx("flatten_hwc", "flatten(order=hwc) as an output: (H, W, C) order", [inp(3, 4, 5), "flatten(order=hwc);"])
fx("flatten_chw_dense", "conv2d -> flatten (chw) -> dense: a PyTorch Linear loads unchanged", [inp(6, 7, 3), "c = conv2d(filters=4, kernel=3);", "f = flatten();", "d = dense(units=6);"])
fx("flatten_hwc_dense", "conv2d -> flatten(order=hwc) -> dense (Keras order)", [inp(6, 7, 3), "c = conv2d(filters=4, kernel=3);", "f = flatten(order=hwc);", "d = dense(units=6);"])
fx("flatten_of_flat", "flatten of a flat tensor is the identity", [inp(12), "f = flatten();", "d = dense(units=5);"])
fx("dense", "dense with bias on a flat input", [inp(12), "dense(units=7);"])
fx("dense_nobias", "dense bias=false", [inp(12), "dense(units=7, bias=false);"])
fx("dense_softmax", "dense activation=softmax", [inp(12), "dense(units=7, activation=softmax);"], scale=3.0)
fx("mlp_flat", "flat input (n): dense layers with relu, tanh, sigmoid, leaky_relu, relu6 and softmax", [
    inp(20),
    "fc1 = dense(units=16, activation=relu);",
    "fc2 = dense(units=12, activation=tanh);",
    "fc3 = dense(units=10, activation=leaky_relu);",
    "fc4 = dense(units=10, activation=sigmoid);",
    "fc5 = dense(units=8, activation=relu6);",
    "fc6 = dense(units=5, activation=softmax);"], scale=3.0)

# --- add, concat
fx("add2", "add of 2 tensors", [inp(6, 7, 3), "a = conv2d(x, filters=4, kernel=3);", "b = conv2d(x, filters=4, kernel=3);", "s = add(a, b);"])
fx("add3", "add of 3 tensors", [inp(6, 7, 3), "a = conv2d(x, filters=4, kernel=3, padding=1);", "b = conv2d(x, filters=4, kernel=1);", "c = conv2d(x, filters=4, kernel=(1, 3), padding=(0, 1));", "s = add(a, b, c);"])
fx("add_flat", "add of 2 flat tensors", [inp(12), "a = dense(x, units=5);", "b = dense(x, units=5);", "s = add(a, b);"])
fx("concat2", "concat of 2 spatial tensors (4 + 3 channels)", [inp(6, 7, 3), "a = conv2d(x, filters=4, kernel=3, padding=1);", "b = conv2d(x, filters=3, kernel=1);", "c = concat(a, b);"])
fx("concat3", "concat of 3 spatial tensors (the input, 2 and 4 channels)", [inp(6, 7, 3), "a = conv2d(x, filters=2, kernel=3, padding=same);", "b = maxpool2d(x, size=3, stride=1, padding=1);", "m = conv2d(b, filters=4, kernel=1);", "c = concat(x, a, m);"])
fx("concat_flat", "concat of 2 flat tensors", [inp(12), "a = dense(x, units=5);", "b = dense(x, units=3);", "c = concat(a, b);"])

# --- zeropad2d
fx("zeropad_int", "zeropad2d padding 1", [inp(4, 5, 2), "zeropad2d(padding=1);"])
fx("zeropad_pair", "zeropad2d padding (1, 2)", [inp(4, 5, 2), "zeropad2d(padding=(1, 2));"])
fx("zeropad_4tuple", "zeropad2d padding (0, 1, 2, 0)", [inp(4, 5, 2), "zeropad2d(padding=(0, 1, 2, 0));"])
fx("zeropad_dw_s2", "zeropad2d (0, 1, 0, 1) -> depthwise stride 2 valid (MobileNet's conv_pad_N)", [inp(8, 8, 4), "p = zeropad2d(padding=(0, 1, 0, 1));", "d = depthwise_conv2d(kernel=3, stride=2);"])

# --- several inputs and outputs
fx("two_in_two_out", "two inputs, two outputs (`output o1, o2;`): a spatial and a flat one", [
    "x = input(shape=(6, 7, 3));",
    "y = input(shape=(6, 7, 2));",
    "a = conv2d(x, filters=4, kernel=3, padding=1);",
    "b = conv2d(y, filters=4, kernel=3, padding=1, activation=relu);",
    "s = add(a, b);",
    "c = concat(s, y);",
    "o1 = conv2d(c, filters=2, kernel=1);",
    "g = global_avgpool2d(s);",
    "o2 = dense(g, units=3);",
    "output o1, o2;"])
fx("outputs_reordered", "`output b, a;` names the outputs in the other order than their definitions: outputs follow the output statement", [
    inp(5, 6, 3),
    "a = conv2d(x, filters=2, kernel=3);",
    "g = global_maxpool2d(x);",
    "b = dense(g, units=4);",
    "output b, a;"])
fx("outputs_implicit", "no output statement: the two unconsumed tensors are the outputs, in source order", [
    inp(5, 6, 3),
    "a = conv2d(x, filters=2, kernel=3);",
    "b = avgpool2d(x, size=2);"])

# --- blocks
RESBLOCKS = [
    "block basic(x, *, filters) {",
    "    conv1 = conv2d(x, filters=filters, kernel=3, padding=1, bias=false);",
    "    bn1 = batchnorm();",
    "    relu = relu();",
    "    conv2 = conv2d(filters=filters, kernel=3, padding=1, bias=false);",
    "    bn2 = batchnorm();",
    "    sum = add(bn2, x);",
    "    out = relu(sum);",
    "    return out;",
    "}",
    "",
    "block basic_down(x, *, filters, stride = 2) {",
    "    conv1 = conv2d(x, filters=filters, kernel=3, stride=stride, padding=1, bias=false);",
    "    bn1 = batchnorm();",
    "    relu = relu();",
    "    conv2 = conv2d(filters=filters, kernel=3, padding=1, bias=false);",
    "    bn2 = batchnorm();",
    "    downsample.0 = conv2d(x, filters=filters, kernel=1, stride=stride, bias=false);",
    "    downsample.1 = batchnorm();",
    "    sum = add(bn2, downsample.1);",
    "    out = relu(sum);",
    "    return out;",
    "}",
]
fx("resblock", "ResNet basic blocks: identity and downsample shortcuts, an unnamed block call (basic_1.*), weights with num_batches_tracked (I64) as a PyTorch state_dict has them", [
    inp(8, 8, 3),
    "conv1 = conv2d(filters=4, kernel=3, padding=1, bias=false);",
    "bn1 = batchnorm();",
    "relu = relu();",
    "layer1.0 = basic(filters=4);",
    "layer2.0 = basic_down(filters=8);",
    "basic(filters=8);",
    "avgpool = global_avgpool2d();",
    "fc = dense(units=5);"], blocks=RESBLOCKS, state_dict_extras=True)
fx("winograd", "3x3 stride-1 convs netc computes with Winograd F(2,3): odd output sizes (partial 2x2 tiles), 4 rows of 7 tiles (groups of 6 that span rows, a last group of 4), padding same and 1, bias, leaky_relu fused, batchnorm folded, residual add and relu fused", [
    inp(7, 13, 16),
    "a = conv2d(filters=16, kernel=3, padding=same, activation=leaky_relu);",
    "b = conv2d(filters=16, kernel=3, padding=1, bias=false);",
    "bn = batchnorm();",
    "sum = add(bn, a);",
    "out = relu(sum);"])
fx("conv_pool_inplace", "a direct conv and its max pool, where the memory plan gives the pool's output the place of the conv's input (dead once the conv has run): netc fuses them only where the pool writes elsewhere (found by tests/numerics/random_nets.py)", [
    inp(18, 11, 3),
    "t1 = batchnorm();",
    "t2 = gelu();",
    "t3 = global_avgpool2d(t2, keepdims=true);",
    "t4 = conv2d(t3, filters=1, kernel=1, activation=relu);",
    "t5 = conv2d(t4, filters=3, kernel=1, activation=sigmoid);",
    "t6 = multiply(t2, t5);",
    "t7 = conv2d(t6, filters=12, kernel=7, padding=6, activation=gelu);",
    "t8 = maxpool2d(size=2, stride=1, padding=same);"])
fx("conv_relu_pool", "direct convs with a max pool fused (netc pools each conv row as it is made): relu then a 3x3 stride-2 pool with padding 1 on an odd map (windows clipped on every side), activation=relu then a 2x2 pool that leaves the last row unread, a folded batchnorm then a 3x3 stride-1 pool (overlapping windows); and a conv whose residual add comes before the pool, which stays unfused", [
    inp(25, 23, 3),
    "a = conv2d(filters=20, kernel=3, padding=1);",
    "ar = relu();",
    "ap = maxpool2d(size=3, stride=2, padding=1);",
    "b = conv2d(filters=24, kernel=3, activation=relu);",
    "bp = maxpool2d(size=2);",
    "c = conv2d(filters=24, kernel=3, padding=1, bias=false);",
    "cb = batchnorm();",
    "cp = maxpool2d(size=3, stride=1);",
    "d = conv2d(filters=24, kernel=3, padding=1);",
    "ds = add(d, cp);",
    "dp = maxpool2d(size=2, stride=1);"])
fx("conv_cblock", "a direct conv whose input channels come in blocks (3x3 x 240 channels is more than 2048 rows of weights: two blocks of 120, the partial sums kept in the output between them), stride 2 and padding 1, batchnorm folded, a residual add from a 1x1 stride-2 conv and relu fused after the last block", [
    inp(7, 7, 240),
    "d = conv2d(filters=24, kernel=1, stride=2);",
    "c = conv2d(x, filters=24, kernel=3, stride=2, padding=1, bias=false);",
    "bn = batchnorm();",
    "sum = add(bn, d);",
    "out = relu(sum);"])
fx("block_nested", "a block calling a block, a value parameter whose default is an expression of another (g = f * 2), a block with two tensor parameters", [
    "x = input(shape=(6, 6, 2));",
    "y = input(shape=(6, 6, 4));",
    "m = mix(x, y, f=2);",
    "n = mix(m, y, f=2, g=4);"], blocks=[
    "block unit(x, *, c) {",
    "    conv = conv2d(x, filters=c, kernel=3, padding=same, activation=tanh);",
    "    return conv;",
    "}",
    "",
    "block mix(a, b, *, f, g = f * 2) {",
    "    u = unit(a, c=g);",
    "    v = unit(b, c=g);",
    "    s = add(u, v);",
    "    p = conv2d(s, filters=f + 2, kernel=1);",
    "    return p;",
    "}"])

# --- activations of modern networks, as layers and as activation=
for act, scale in [("silu", 3.0), ("hardswish", 3.0), ("hardsigmoid", 3.0), ("gelu", 2.0)]:
    fx(act, "%s layer (input ×%g: past ±3 where hardswish/hardsigmoid saturate)" % (act, scale),
       [inp(5, 6, 3), "%s();" % act], scale=scale)
    fx("conv_act_" + act, "conv2d activation=%s" % act,
       [inp(7, 9, 3), "conv2d(filters=5, kernel=3, activation=%s);" % act], scale=scale)
fx("gelu_tanh", "gelu(approximate=tanh) layer", [inp(5, 6, 3), "gelu(approximate=tanh);"], scale=2.0)
fx("conv_then_silu", "conv2d then a separate silu layer (fused into the conv)", [inp(7, 9, 3), "conv2d(filters=4, kernel=3);", "silu();"], scale=2.0)
fx("dense_act_hardswish", "dense activation=hardswish", [inp(12), "dense(units=7, activation=hardswish);"], scale=3.0)

# --- squeeze-and-excitation: keepdims pools, multiply and add with a 1×1×C operand
fx("gap_keepdims", "global_avgpool2d(keepdims=true) -> 1×1×C", [inp(5, 6, 4), "global_avgpool2d(keepdims=true);"])
fx("gmp_keepdims", "global_maxpool2d(keepdims=true) -> 1×1×C, negative input", [inp(5, 6, 4), "global_maxpool2d(keepdims=true);"], offset=-3.0)
fx("multiply2", "multiply of 2 equal shapes", [inp(6, 7, 3), "a = conv2d(x, filters=4, kernel=1);", "b = conv2d(x, filters=4, kernel=3, padding=1);", "m = multiply(a, b);"])
fx("multiply3_flat", "multiply of 3 flat tensors", [inp(12), "a = dense(x, units=5);", "b = dense(x, units=5);", "c = dense(x, units=5);", "m = multiply(a, b, c);"])
fx("se_block", "squeeze-and-excitation: pool (keepdims), two 1×1 convs (relu, hardsigmoid), multiply the map by its 1×1×C gate", [inp(6, 7, 8), "f = conv2d(x, filters=8, kernel=3, padding=1);", "s = global_avgpool2d(f, keepdims=true);", "r = conv2d(s, filters=2, kernel=1, activation=relu);", "g = conv2d(r, filters=8, kernel=1, activation=hardsigmoid);", "m = multiply(f, g);"], scale=2.0)
fx("se_gate_first", "multiply(gate, map): the 1×1×C operand first; and add(map, gate) broadcast", [inp(5, 6, 4), "s = global_avgpool2d(x, keepdims=true);", "g = conv2d(s, filters=4, kernel=1, activation=sigmoid);", "m = multiply(g, x);", "a = add(m, g);"])

# --- channel operations (ShuffleNet)
fx("channel_slice", "channel_slice(start=2, stop=5) of 6 channels", [inp(5, 6, 6), "channel_slice(start=2, stop=5);"])
fx("channel_slice_halves", "the two halves of a map (torch.chunk(x, 2, dim=1)), processed and concatenated", [inp(5, 6, 6), "a = channel_slice(x, start=0, stop=3);", "b = channel_slice(x, start=3, stop=6);", "c = conv2d(b, filters=3, kernel=1, activation=relu);", "o = concat(a, c);"])
fx("channel_shuffle2", "channel_shuffle(groups=2) of 6 channels", [inp(4, 5, 6), "channel_shuffle(groups=2);"])
fx("channel_shuffle3", "channel_shuffle(groups=3) of 12 channels", [inp(4, 5, 12), "channel_shuffle(groups=3);"])

# --- upsampling
fx("upsample_nearest2", "upsample2d(scale=2), nearest", [inp(4, 5, 3), "upsample2d(scale=2);"])
fx("upsample_nearest_2x3", "upsample2d(scale=(2, 3)), nearest", [inp(4, 5, 3), "upsample2d(scale=(2, 3));"])
fx("upsample_bilinear2", "upsample2d(scale=2, mode=bilinear), align_corners=false", [inp(4, 5, 3), "upsample2d(scale=2, mode=bilinear);"])
fx("upsample_bilinear_3x2", "upsample2d(scale=(3, 2), mode=bilinear)", [inp(4, 5, 3), "upsample2d(scale=(3, 2), mode=bilinear);"])
fx("upsample_bilinear_align", "upsample2d(scale=2, mode=bilinear, align_corners=true)", [inp(4, 5, 3), "upsample2d(scale=2, mode=bilinear, align_corners=true);"])
fx("upsample_conv", "upsample2d then conv2d (resize-then-convolve)", [inp(4, 5, 3), "upsample2d(scale=2);", "conv2d(filters=4, kernel=3, padding=1);"])

# --- conv2d_transpose (weight [in, out/groups, kh, kw])
fx("convt_k2_s2", "conv2d_transpose kernel 2, stride 2 (U-Net's up-convolution)", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=2, stride=2);"])
fx("convt_k3_s1", "conv2d_transpose kernel 3, stride 1", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=3);"])
fx("convt_k3_s2_p1_op1", "conv2d_transpose kernel 3, stride 2, padding 1, output_padding 1", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=3, stride=2, padding=1, output_padding=1);"])
fx("convt_k4_s2_p1", "conv2d_transpose kernel 4, stride 2, padding 1 (DCGAN)", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=4, stride=2, padding=1);"])
fx("convt_k3x2_s2x1_pair", "conv2d_transpose kernel (3, 2), stride (2, 1), padding (1, 0)", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=(3, 2), stride=(2, 1), padding=(1, 0));"])
fx("convt_dilation2", "conv2d_transpose kernel 3, dilation 2", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=3, dilation=2);"])
fx("convt_groups2", "conv2d_transpose groups 2 (4 -> 6 channels), stride 2", [inp(4, 5, 4), "conv2d_transpose(filters=6, kernel=3, stride=2, groups=2);"])
fx("convt_nobias_relu", "conv2d_transpose bias=false, activation=relu", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=2, stride=2, bias=false, activation=relu);"])
fx("convt_act_silu", "conv2d_transpose activation=silu", [inp(4, 5, 3), "conv2d_transpose(filters=4, kernel=2, stride=2, activation=silu);"], scale=2.0)
fx("convt_small", "a conv2d_transpose of 2 output channels on a one-row map (stride 1, padding 1, output_padding 1, dilation 2, hardsigmoid): its whole kernel unrolls inside the loop over a row's pixels, which GCC 12 with AVX-512 vectorised into wrong code until each pixel became a function of its own (found by tests/numerics/random_nets.py)", [
    inp(1, 10, 5),
    "t = conv2d_transpose(filters=2, kernel=2, stride=1, padding=1, output_padding=1, dilation=2, activation=hardsigmoid);"])
fx("convt_bn_relu", "conv2d_transpose bias=false -> batchnorm -> relu (DCGAN's generator block; the batchnorm folded)", [inp(4, 5, 3), "t = conv2d_transpose(filters=4, kernel=4, stride=2, padding=1, bias=false);", "bn = batchnorm();", "r = relu();"])
fx("convt_bias_bn", "conv2d_transpose with bias and groups 2 -> batchnorm (bias and per-group channels folded)", [inp(4, 5, 4), "t = conv2d_transpose(filters=6, kernel=3, stride=2, groups=2);", "bn = batchnorm(epsilon=1e-3);"])

fx("block_inline_quoted", "MobileNet v2's two inverted blocks from one body (an inline call adds no level to the names), quoted names (\"0\", \"trunk.block1-0\") and a keyword after a dot (features.3.block.0)", [
    "x = input(shape=(6, 7, 4));",
    "features.1 = inverted(c=4, e=2, s=1);",
    "features.2 = inverted_res(c=4, e=3);",
    "\"trunk.block1-0\" = conv2d(features.2, filters=3, kernel=1);",
    "features.3.block.0 = relu(\"trunk.block1-0\");"], blocks=[
    "block conv_bn(x, *, f, k = 1, s = 1, g = 1) {",
    "    \"0\" = conv2d(x, filters=f, kernel=k, stride=s, padding=(k - 1) / 2, groups=g, bias=false);",
    "    \"1\" = batchnorm();",
    "    return \"1\";",
    "}",
    "",
    "block inverted(x, *, c, e, s) {",
    "    conv.0 = conv_bn(x, f=c * e);",
    "    r0 = relu6();",
    "    conv.1 = conv_bn(r0, f=c * e, k=3, s=s, g=c * e);",
    "    r1 = relu6();",
    "    conv.2 = conv2d(r1, filters=c, kernel=1, bias=false);",
    "    conv.3 = batchnorm();",
    "    return conv.3;",
    "}",
    "",
    "block inverted_res(x, *, c, e) {",
    "    y = inline inverted(x, c=c, e=e, s=1);",
    "    out = add(y, x);",
    "    return out;",
    "}"], scale=2.0)

# --- input file shape (1, H, W, C)
fx("input_batch1", "input.npy of shape (1, H, W, C), which the binary accepts", [inp(5, 6, 2), "conv2d(filters=3, kernel=3);"], batch1=True)


# ----------------------------------------------------------------------------
# The examples, with netc's --random-weights=SEED.

EXAMPLES = [
    ("seed", 42), ("mnist", 1), ("lenet5", 18446744073709551615),
    ("alexnet", 7), ("vgg16", 16), ("resnet18", 18), ("mobilenet", 224),
    ("shufflenet_v2", 5), ("mobilenet_v3_small", 3), ("efficientnet_b0", 0), ("unet", 572),
]

# The examples written from torchvision's models, and the constructor of each.
TORCHVISION = {"alexnet": "alexnet", "vgg16": "vgg16", "resnet18": "resnet18",
               "shufflenet_v2": "shufflenet_v2_x0_5", "mobilenet_v3_small": "mobilenet_v3_small",
               "efficientnet_b0": "efficientnet_b0"}


# ----------------------------------------------------------------------------

def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def net_text(f):
    lines = ["# netc numerics fixture %s: %s" % (f["name"], f["covers"]),
             "# Generated by tests/numerics/gen_fixtures.py; do not edit.", ""]
    if f.get("blocks"):
        lines += f["blocks"] + [""]
    lines.append("network %s {" % f["name"])
    lines += ["    " + s for s in f["body"]]
    lines.append("}")
    return "\n".join(lines) + "\n"


def fixture_weights(net, shapes, rng, bn_var):
    out, order = {}, []
    for _, ts in netref.weight_specs(net, shapes):
        for name, shp, kind in ts:
            if kind[0] == "u":
                b = 1.0 / math.sqrt(kind[1])
                v = rng.uniform(-b, b, shp)
            elif kind[0] == "bn_weight":
                v = rng.uniform(0.5, 1.5, shp)
            elif kind[0] in ("bn_bias", "bn_mean"):
                v = rng.uniform(-0.5, 0.5, shp)
            else:
                v = rng.uniform(bn_var[0], bn_var[1], shp)
            out[name] = v.astype(np.float32)
            order.append(name)
    return out, order


def save_npy(path, a):
    np.save(path, np.ascontiguousarray(a, dtype="<f4"), allow_pickle=False)


def netc_summary(netc, path):
    if not netc:
        return None
    p = subprocess.run([netc, "summary", "--format=json", path], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("netc summary failed on %s:\n%s" % (path, p.stderr))
    return json.loads(p.stdout)


def check_against_netc(netc, path, net, shapes):
    j = netc_summary(netc, path)
    if j is None:
        return
    mine = [(l.name, l.op, list(shapes[l.name])) for l in net.layers]
    theirs = [(l["name"], l["op"], l["shape"]) for l in j["layers"]]
    if mine != theirs or net.outputs != j["outputs"]:
        for a, b in zip(mine, theirs):
            if a != b:
                print("  mine %r\n  netc %r" % (a, b))
        raise SystemExit("%s: layers or outputs differ from netc summary (mine %r, netc %r)"
                         % (path, net.outputs, j["outputs"]))
    p = subprocess.run([netc, "check", path], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("netc check fails on %s:\n%s" % (path, p.stderr))


def check_pools_against_torch(net, weights, inputs):
    """Where F.max_pool2d / F.avg_pool2d can express a pool (symmetric
    integer padding), they must give what netref.pool2d gives."""
    notes = []
    env_net = netref.Network(net.name, net.layers, [l.name for l in net.layers])
    outs, _ = netref.run(env_net, weights, inputs)
    val = {l.name: o for l, o in zip(net.layers, outs)}
    for l in net.layers:
        if l.op not in ("maxpool2d", "avgpool2d"):
            continue
        a = l.attrs
        kh, kw = netref.pair(a["size"])
        sh, sw = netref.pair(a.get("stride", a["size"]))
        p = a.get("padding", netref.Sym("valid"))
        if isinstance(p, netref.Sym):
            if p != "valid":
                continue
            p = 0
        if isinstance(p, tuple) and (len(p) == 4):
            continue
        ph, pw = netref.pair(p)
        x = torch.from_numpy(val[l.inputs[0]]).permute(2, 0, 1)[None]
        if l.op == "maxpool2d":
            y = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil_mode=a.get("ceil", False))
        else:
            y = F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil_mode=a.get("ceil", False),
                             count_include_pad=a.get("count_pad", True))
        y = y[0].permute(1, 2, 0).numpy()
        mine = val[l.name]
        assert y.shape == mine.shape, (l.name, y.shape, mine.shape)
        err = np.abs(y - mine).max()
        assert err < 1e-12, (l.name, err)
        notes.append("  %s: netref pool = F.%s_pool2d (max diff %.1e)" % (l.name, l.op[:3], err))
    return notes


def gen_fixture(f, outdir, netc):
    name = f["name"]
    d = os.path.join(outdir, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    text = net_text(f)
    path = os.path.join(d, "model.net")
    with open(path, "w") as fp:
        fp.write(text)
    net = netref.parse(text)
    shapes = netref.infer_shapes(net)
    check_against_netc(netc, path, net, shapes)
    rng = rng_for(name)
    weights, order = fixture_weights(net, shapes, rng, f.get("bn_var", (0.01, 1.0)))
    if weights:
        extra = {}
        if f.get("state_dict_extras"):
            for l in net.layers:
                if l.op == "batchnorm":
                    extra[l.name + ".num_batches_tracked"] = ("I64", [], np.int64(1000).tobytes())
        netref.write_safetensors(os.path.join(d, "weights.safetensors"), weights, order, extra)
        back = netref.read_safetensors(os.path.join(d, "weights.safetensors"))
        assert set(back) == set(weights) and all((back[k] == weights[k]).all() for k in back)
    inputs = []
    for l in net.layers:
        if l.op == "input":
            s = l.attrs["shape"]
            s = s if isinstance(s, tuple) else (s,)
            v = f.get("offset", 0.0) + f.get("scale", 1.0) * rng.standard_normal(s)
            inputs.append(v.astype(np.float32))
    outs, rshapes = netref.run(net, weights, inputs)
    for l in net.layers:   # the evaluator's shapes are the static ones (= netc's)
        assert tuple(rshapes[l.name]) == tuple(shapes[l.name]), (l.name, rshapes[l.name], shapes[l.name])
    notes = []
    if any(l.op in ("maxpool2d", "avgpool2d") for l in net.layers):
        notes = check_pools_against_torch(net, weights, inputs)
    multi_in, multi_out = len(inputs) > 1, len(outs) > 1
    for k, v in enumerate(inputs):
        if f.get("batch1"):
            v = v[None]
        save_npy(os.path.join(d, "input.%d.npy" % k if multi_in else "input.npy"), v)
    for k, o in enumerate(outs):
        assert np.isfinite(o).all()
        save_npy(os.path.join(d, "expected.%d.npy" % k if multi_out else "expected.npy"),
                 o.astype(np.float32))
    shp = ", ".join("x".join(map(str, o.shape)) for o in outs)
    print("%-28s -> %s" % (name, shp))
    for n in notes:
        print(n)
    return net


# ----------------------------------------------------------------------------
# Independent PyTorch models of the examples, to cross-check netref on them.

def torch_model(example):
    """A torch.nn model written from the example's file (torchvision's where
    the file says it is torchvision's), or None."""
    if example in TORCHVISION:
        try:
            import torchvision
        except ImportError:
            return None
        return getattr(torchvision.models, TORCHVISION[example])(weights=None)

    class Flat(nn.Module):
        def forward(self, x):
            return torch.flatten(x, 1)

    class SoftmaxC(nn.Module):
        def forward(self, x):
            return torch.softmax(x, 1)

    def seq(named):
        m = nn.Sequential()
        for k, v in named:
            m.add_module(k, v)
        return m

    if example in ("seed", "mnist"):
        pool = example == "mnist"
        mods = [("conv2d_1", nn.Conv2d(1, 32, 3)), ("r1", nn.ReLU())]
        if pool:
            mods.append(("p1", nn.MaxPool2d(2)))
        mods += [("conv2d_2", nn.Conv2d(32, 64, 3)), ("r2", nn.ReLU())]
        if pool:
            mods.append(("p2", nn.MaxPool2d(2)))
        mods += [("conv2d_3", nn.Conv2d(64, 64, 3)), ("r3", nn.ReLU()), ("f", Flat()),
                 ("dense_1", nn.Linear(576 if pool else 30976, 64)), ("r4", nn.ReLU()),
                 ("dense_2", nn.Linear(64, 10)), ("s", SoftmaxC())]
        return seq(mods)
    if example == "lenet5":
        return seq([("c1", nn.Conv2d(1, 6, 5)), ("r1", nn.ReLU()), ("s2", nn.MaxPool2d(2)),
                    ("c3", nn.Conv2d(6, 16, 5)), ("r3", nn.ReLU()), ("s4", nn.MaxPool2d(2)),
                    ("f", Flat()), ("c5", nn.Linear(400, 120)), ("r5", nn.ReLU()),
                    ("f6", nn.Linear(120, 84)), ("r6", nn.ReLU()),
                    ("out", nn.Linear(84, 10)), ("s", SoftmaxC())])
    if example == "unet":
        return unet_module()
    if example == "mobilenet":
        class MobileNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 32, 3, 2, bias=False)
                self.conv1_bn = nn.BatchNorm2d(32, eps=1e-3)
                cfg = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1),
                       (256, 512, 2)] + [(512, 512, 1)] * 5 + [(512, 1024, 2), (1024, 1024, 1)]
                self.cfg = cfg
                for i, (cin, cout, s) in enumerate(cfg, 1):
                    setattr(self, "conv_dw_%d" % i, nn.Conv2d(cin, cin, 3, s, groups=cin, bias=False))
                    setattr(self, "conv_dw_%d_bn" % i, nn.BatchNorm2d(cin, eps=1e-3))
                    setattr(self, "conv_pw_%d" % i, nn.Conv2d(cin, cout, 1, bias=False))
                    setattr(self, "conv_pw_%d_bn" % i, nn.BatchNorm2d(cout, eps=1e-3))
                self.conv_preds = nn.Linear(1024, 1000)

            def forward(self, x):
                x = F.pad(x, (0, 1, 0, 1))        # Keras 'same', stride 2, 224: bottom/right
                x = F.relu6(self.conv1_bn(self.conv1(x)))
                for i, (cin, cout, s) in enumerate(self.cfg, 1):
                    x = F.pad(x, (0, 1, 0, 1) if s == 2 else (1, 1, 1, 1))
                    x = F.relu6(getattr(self, "conv_dw_%d_bn" % i)(getattr(self, "conv_dw_%d" % i)(x)))
                    x = F.relu6(getattr(self, "conv_pw_%d_bn" % i)(getattr(self, "conv_pw_%d" % i)(x)))
                x = x.mean((2, 3))
                return torch.softmax(self.conv_preds(x), 1)
        return MobileNet()
    return None


def unet_module(n_channels=3, n_classes=2, base=16):
    """The U-Net of examples/unet.net: the widely used PyTorch form (padded
    double convolutions with batchnorm, max pooling down, ConvTranspose2d up,
    the skip concatenated first), its module names those of the file."""
    class DoubleConv(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.double_conv = nn.Sequential(
                nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

        def forward(self, x):
            return self.double_conv(x)

    class Down(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(cin, cout))

        def forward(self, x):
            return self.maxpool_conv(x)

    class Up(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
            self.conv = DoubleConv(cin, cout)

        def forward(self, x1, x2):
            return self.conv(torch.cat([x2, self.up(x1)], dim=1))

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            b = base
            self.inc = DoubleConv(n_channels, b)
            self.down1, self.down2 = Down(b, 2 * b), Down(2 * b, 4 * b)
            self.down3, self.down4 = Down(4 * b, 8 * b), Down(8 * b, 16 * b)
            self.up1, self.up2 = Up(16 * b, 8 * b), Up(8 * b, 4 * b)
            self.up3, self.up4 = Up(4 * b, 2 * b), Up(2 * b, b)
            self.outc = nn.Module()
            self.outc.conv = nn.Conv2d(b, n_classes, 1)

        def forward(self, x):
            x1 = self.inc(x)
            x2 = self.down1(x1)
            x3 = self.down2(x2)
            x4 = self.down3(x3)
            x5 = self.down4(x4)
            x = self.up1(x5, x4)
            x = self.up2(x, x3)
            x = self.up3(x, x2)
            x = self.up4(x, x1)
            return self.outc.conv(x)

    return UNet()


def gen_example(example, seed, outdir, netc):
    d = os.path.join(outdir, example)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    rel = "examples/%s.net" % example
    path = os.path.join(ROOT, rel)
    with open(path) as fp:
        net = netref.parse(fp.read())
    shapes = netref.infer_shapes(net)
    check_against_netc(netc, path, net, shapes)
    weights, order = netref.random_weights(net, seed)
    s = net.layers[0].attrs["shape"]
    s = s if isinstance(s, tuple) else (s,)
    x = rng_for("example:" + example).standard_normal(s).astype(np.float32)
    (out,), _ = netref.run(net, weights, [x])
    nparams = sum(v.size for v in weights.values())
    print("%-28s -> %s  (%d random weights, seed %d, %s starts %s)" % (
        "examples/" + example, "x".join(map(str, out.shape)), nparams, seed, order[0],
        ", ".join("%.9g" % weights[order[0]].flat[i] for i in range(3))))
    model = torch_model(example)
    if model is not None:
        sd = {k: torch.from_numpy(v.astype(np.float64)) for k, v in weights.items()}
        own = model.state_dict()
        for k in list(own):
            if k.endswith("num_batches_tracked"):
                sd[k] = own[k]
        model.load_state_dict(sd, strict=True)
        model = model.double().eval()
        with torch.no_grad():
            ref = model(torch.from_numpy(x.astype(np.float64)).permute(2, 0, 1)[None])[0]
            ref = (ref.permute(1, 2, 0) if ref.dim() == 3 else ref).numpy()   # HWC, as netc
        err = np.abs(ref - out).max() / np.abs(out).max()
        assert err < 1e-10, (example, err)
        print("  %s: netref = torch.nn model (%s), rel diff %.1e" % (
            example, "torchvision" if example in TORCHVISION else "written from the file", err))
    else:
        print("  %s: no independent torch model to cross-check (torchvision missing?)" % example)
    with open(os.path.join(d, "model.ref"), "w") as fp:
        fp.write(rel + "\n")
    with open(os.path.join(d, "seed"), "w") as fp:
        fp.write("%d\n" % seed)
    save_npy(os.path.join(d, "input.npy"), x)
    save_npy(os.path.join(d, "expected.npy"), out.astype(np.float32))


def update_readme():
    """Rewrites the fixture table of README.md from FIXTURES."""
    path = os.path.join(HERE, "README.md")
    with open(path) as fp:
        text = fp.read()
    begin = "<!-- fixtures: generated by gen_fixtures.py -->\n"
    end = "<!-- /fixtures -->"
    if begin not in text or end not in text:
        return
    rows = ["| fixture | input | output | covers |", "|---|---|---|---|"]
    for f in FIXTURES:
        net = netref.parse(net_text(f))
        shapes = netref.infer_shapes(net)
        ins = ", ".join("×".join(map(str, shapes[n])) for n in net.inputs)
        outs = ", ".join("×".join(map(str, shapes[n])) for n in net.outputs)
        extra = []
        if f.get("scale", 1.0) != 1.0:
            extra.append("input ×%g" % f["scale"])
        if f.get("offset"):
            extra.append("input %+g" % f["offset"])
        covers = f["covers"].replace("|", "\\|") + (" (%s)" % ", ".join(extra) if extra else "")
        rows.append("| `%s` | %s | %s | %s |" % (f["name"], ins, outs, covers))
    rows += ["", "| example | seed | input | output |", "|---|---|---|---|"]
    for ex, seed in EXAMPLES:
        with open(os.path.join(ROOT, "examples", ex + ".net")) as fp:
            net = netref.parse(fp.read())
        shapes = netref.infer_shapes(net)
        rows.append("| `examples/%s.net` (`%s`) | %d | %s | %s |" % (
            ex, net.name, seed, "×".join(map(str, shapes[net.inputs[0]])),
            "×".join(map(str, shapes[net.outputs[0]]))))
    a = text.index(begin) + len(begin)
    b = text.index(end)
    text = text[:a] + "\n".join(rows) + "\n\n%d fixtures, %d examples.\n" % (
        len(FIXTURES), len(EXAMPLES)) + text[b:]
    with open(path, "w") as fp:
        fp.write(text)


def self_test():
    # the vectorised splitmix64 is the scalar one
    for seed in (0, 1, 42, 18446744073709551615):
        a, b = netref.SplitMix64(seed), netref.SplitMix64(seed)
        v = a.next_array(1000)
        w = [b.next_scalar() for _ in range(1000)]
        assert [int(t) for t in v] == w and a.state == b.state
    # the published first outputs of splitmix64 seeded with 1234567
    g = netref.SplitMix64(1234567)
    assert [g.next_scalar() for _ in range(3)] == [
        6457827717110365317, 3203168211198807973, 9817491932198370423]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--netc", help="netc binary to cross-check names and shapes (default: build/netc if present; 'none' to skip)")
    ap.add_argument("--only", nargs="*", help="generate only these fixtures / examples")
    ap.add_argument("--skip-examples", action="store_true")
    args = ap.parse_args()
    netc = args.netc
    if netc is None:
        cand = os.path.join(ROOT, "build", "netc")
        netc = cand if os.access(cand, os.X_OK) else None
    elif netc == "none":
        netc = None
    if not netc:
        print("note: no netc binary: names and shapes are not cross-checked with netc summary")
    self_test()
    update_readme()
    names = [f["name"] for f in FIXTURES]
    assert len(set(names)) == len(names)
    fixdir = os.path.join(HERE, "fixtures")
    os.makedirs(fixdir, exist_ok=True)
    for f in FIXTURES:
        if args.only and f["name"] not in args.only:
            continue
        gen_fixture(f, fixdir, netc)
    if not args.only:   # remove fixtures that are no longer defined
        for d in sorted(os.listdir(fixdir)):
            if d not in names:
                shutil.rmtree(os.path.join(fixdir, d))
    if not args.skip_examples:
        exdir = os.path.join(HERE, "examples")
        os.makedirs(exdir, exist_ok=True)
        for ex, seed in EXAMPLES:
            if args.only and ex not in args.only:
                continue
            gen_example(ex, seed, exdir, netc)


if __name__ == "__main__":
    main()
