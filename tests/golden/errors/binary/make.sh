#!/bin/sh
# make.sh: writes the binary inputs of the golden cases binary-*, in this
# directory. They are small and committed (run.sh does not run this); run it
# again only to change them, then review the cases with run.sh --update.
# Only printf: each file is the start of what a user might pass by mistake.
set -e
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")"

# The ELF header of an x86-64 executable, as /bin/ls starts.
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000>\000\001\000\000\000' >ls
printf '\120\141\000\000\000\000\000\000\100\000\000\000\000\000\000\000' >>ls

# An ONNX model: ModelProto with ir_version 7, producer "pytorch" 2.1.0,
# then the start of its graph (a Relu node from x to y).
printf '\010\007\022\007pytorch\032\0052.1.0:\034\012\024\012\001x\022\001y\032\006relu_0"\004Relu' >model.onnx
printf '\022\004main' >>model.onnx

# safetensors: the length of the JSON header (little-endian u64), the
# header, and the data of one F32 tensor of 2 elements.
printf '\073\000\000\000\000\000\000\000' >weights.safetensors
printf '{"d.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}' >>weights.safetensors
printf '\000\000\200\077\000\000\000\100' >>weights.safetensors

# A .npy array: magic, version 1.0, header length, header, data.
printf '\223NUMPY\001\000\166\000' >image.npy
printf "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }%60s\n" '' >>image.npy
printf '\000\000\200\077\000\000\000\100' >>image.npy

# A network saved as UTF-16 (little-endian, with a byte-order mark).
printf '\377\376n\000e\000t\000w\000o\000r\000k\000 \000n\000 \000{\000}\000\n\000' >utf16.net

# A network with a NUL byte on its third line.
printf 'network n {\n    x = input(shape=(8));\n    y = relu(x);\000\n}\n' >nul-in-text.net
