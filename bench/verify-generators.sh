#!/usr/bin/env bash
# Checks the benchmark generators on small instances of the same files, with
# Debian's Python (/usr/bin/python3) and its python3-torch / python3-onnx:
#   safetensors  header structure (JSON, 8-byte alignment, contiguous offsets, sizes)
#   pickle       pickletools.dis accepts it; byte-identical to CPython's
#                pickle.dumps(protocol=4) of the same list; pickle.loads round trip
#                (safe: we generated it, it holds only plain data)
#   torch zip    zipfile testzip (CRCs), 64-byte aligned data, torch.load(weights_only=True),
#                data.pkl byte-identical to what torch.save writes for the loaded dict
#   onnx         onnx.load + onnx.checker.check_model(full_check=True), re-serialises identically
#                (big.onnx, big-layers.onnx and big-graph.onnx)
#   gguf         an independent struct reading of the header: contiguous aligned offsets, sizes, file size
#   keras h5     h5py opens it: the root attributes are the JSON Keras writes, the dataset
#                holds exactly the parameters the config's Dense layers need
# Usage: bench/verify-generators.sh [--keep]   (--keep leaves the temp dir behind)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
dir=$(mktemp -d /tmp/weightlens-verify.XXXXXX)
if [[ "${1:-}" == "--keep" ]]; then echo "instances kept in $dir"; else trap 'rm -rf "$dir"' EXIT; fi

node bench/generate.mjs --small --out "$dir" >/dev/null

"$PY" - "$dir" <<'PYEOF'
import io, json, math, os, pickle, pickletools, struct, sys, zipfile
d = sys.argv[1]
failed = []
def check(name, fn):
    try:
        msg = fn()
        print(f"PASS {name}" + (f": {msg}" if msg else ""))
    except ImportError as e:
        print(f"SKIP {name}: {e}")
    except Exception as e:
        failed.append(name)
        print(f"FAIL {name}: {type(e).__name__}: {e}")

def safetensors():
    raw = open(os.path.join(d, "big.safetensors"), "rb").read()
    (n,) = struct.unpack_from("<Q", raw, 0)
    assert (8 + n) % 8 == 0, "8+N not a multiple of 8"
    text = raw[8:8 + n].decode("utf-8")
    header = json.loads(text)
    assert text.rstrip(" ").endswith("}"), "header not padded with spaces"
    assert header.pop("__metadata__") == {"format": "pt"}
    sizes = {"F32": 4, "F16": 2, "BF16": 2}
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1], k, v) for k, v in header.items())
    pos = 0
    for b, e, k, v in spans:
        assert b == pos, f"{k}: gap or overlap at {b}"
        assert e - b == math.prod(v["shape"]) * sizes[v["dtype"]], f"{k}: size"
        pos = e
    assert pos == len(raw) - 8 - n, "data section size != last end offset"
    return f"{len(header)} tensors, {pos} data bytes"

def pickle_raw():
    raw = open(os.path.join(d, "big-raw.pkl"), "rb").read()
    out = io.StringIO()
    pickletools.dis(raw, out=out)
    lines = out.getvalue().splitlines()
    frames = [l for l in lines if " FRAME " in l]
    TAG_A = ["alpha", "beta", "gamma", "delta", "epsilon"]
    TAG_B = ["red", "green", "blue"]
    obj = [{"id": i, "name": f"item-{i}", "score": ((i * 7919) % 100003) / 1000,
            "tags": (TAG_A[i % 5], TAG_B[i % 3])} for i in range(20000)]  # the --small count
    assert pickle.dumps(obj, protocol=4) == raw, "differs from CPython's pickle.dumps(protocol=4)"
    assert pickle.loads(raw) == obj, "round trip"
    return f"pickletools.dis ok ({len(lines) - 1} opcodes, {len(frames)} frames); identical to pickle.dumps; loads round-trips"

def torch_zip(name="big-torch.pt"):
    f = os.path.join(d, name)
    raw = open(f, "rb").read()
    z = zipfile.ZipFile(f)
    assert z.testzip() is None, "bad CRC"
    names = z.namelist()
    assert names[0] == "archive/data.pkl" and names[1] == "archive/byteorder" and names[-2:] == ["archive/version", "archive/.data/serialization_id"], names
    assert z.read("archive/byteorder") == b"little" and z.read("archive/version") == b"3\n"
    for i in z.infolist():
        fl, ex = struct.unpack_from("<HH", raw, i.header_offset + 26)
        assert (i.header_offset + 30 + fl + ex) % 64 == 0, f"{i.filename} not 64-byte aligned"
        assert raw[i.header_offset + 30 + fl:i.header_offset + 32 + fl] == b"FB"
        assert i.compress_type == 0 and i.flag_bits == 0x0808
    out = io.StringIO()
    pickletools.dis(z.read("archive/data.pkl"), out=out)
    msg = f"testzip ok, {len(names)} members, all 64-byte aligned"
    import torch  # SKIP the rest when python3-torch is missing
    sd = torch.load(f, weights_only=True)
    if name == "big-torch.pt":
        assert sd["lm_head.weight"] is sd["transformer.wte.weight"], "tied weights"
        assert sd["transformer.h.0.attn.v_proj.weight"].storage_offset() == 2 * 32 * 32
    else:
        assert [tuple(t.shape) for t in sd.values()] == [(2, 1 + i % 7) for i in range(len(sd))], "many-tensors shapes"
    buf = io.BytesIO()
    torch.save(sd, buf)
    ref = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    assert ref.read("archive/data.pkl") == z.read("archive/data.pkl"), "data.pkl differs from torch.save's"
    for n in ref.namelist():
        if "/data/" in n:
            assert ref.read(n) == z.read(n), n
    return msg + f"; torch {torch.__version__} loads it (weights_only=True, {len(sd)} tensors); data.pkl and storages identical to torch.save's"

def onnx_model(name="big.onnx"):
    import onnx
    f = os.path.join(d, name)
    raw = open(f, "rb").read()
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    assert m.SerializeToString() == raw, "protobuf re-serialisation differs"
    return f"onnx {onnx.__version__}: checker ok, {len(m.graph.node)} nodes, {len(m.graph.initializer)} initializers, re-serialises identically"

check("big.safetensors", safetensors)
check("big-raw.pkl", pickle_raw)
check("big-torch.pt", torch_zip)
check("many-tensors.pt", lambda: torch_zip("many-tensors.pt"))
check("big.onnx", onnx_model)
check("big-layers.onnx", lambda: onnx_model("big-layers.onnx"))

def onnx_graph():
    import onnx
    f = os.path.join(d, "big-graph.onnx")
    raw = open(f, "rb").read()
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    assert m.SerializeToString() == raw, "protobuf re-serialisation differs"
    return f"onnx {onnx.__version__}: checker ok, {len(m.graph.node)} nodes, {len(m.graph.value_info)} value_infos, re-serialises identically"

check("big-graph.onnx", onnx_graph)

def gguf():
    # An independent reading of the GGUF spec (ggml docs/gguf.md) with struct, not the engine's reader.
    raw = open(os.path.join(d, "big.gguf"), "rb").read()
    assert raw[:4] == b"GGUF"
    version, n_tensors, n_kv = struct.unpack_from("<IQQ", raw, 4)
    assert version == 3
    p = 24
    def string(p):
        (n,) = struct.unpack_from("<Q", raw, p)
        return raw[p + 8:p + 8 + n].decode("utf-8"), p + 8 + n
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    fmt = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
    def value(t, p):
        if t == 8:
            return string(p)
        if t == 9:
            it, n = struct.unpack_from("<IQ", raw, p)
            p += 12
            items = []
            for _ in range(n):
                v, p = value(it, p)
                items.append(v)
            return items, p
        return struct.unpack_from("<" + fmt[t], raw, p)[0], p + sizes[t]
    kv = {}
    for _ in range(n_kv):
        key, p = string(p)
        (t,) = struct.unpack_from("<I", raw, p)
        kv[key], p = value(t, p + 4)
    align = kv.get("general.alignment", 32)
    blocks = {0: (1, 4), 1: (1, 2), 8: (32, 34)}
    expected = 0
    for _ in range(n_tensors):
        name, p = string(p)
        (nd,) = struct.unpack_from("<I", raw, p)
        dims = struct.unpack_from("<%dQ" % nd, raw, p + 4)
        t, off = struct.unpack_from("<IQ", raw, p + 4 + 8 * nd)
        p += 4 + 8 * nd + 12
        assert off == expected, f"{name}: offset {off}, expected {expected}"
        bs, ts = blocks[t]
        assert dims[0] % bs == 0
        n = 1
        for x in dims:
            n *= x
        expected = -(-(off + n // bs * ts) // align) * align
    start = -(-p // align) * align
    assert start + expected == len(raw), f"data {start}+{expected} != size {len(raw)}"
    assert len(kv["tokenizer.ggml.tokens"]) == kv["llama.vocab_size"]
    return f"{n_tensors} tensors, {n_kv} keys, {len(kv['tokenizer.ggml.tokens'])} tokens, data at {start}"

check("big.gguf", gguf)
def keras_h5():
    import h5py
    with h5py.File(os.path.join(d, "big-keras.h5"), "r") as f:
        config = json.loads(f.attrs["model_config"])
        layers = config["config"]["layers"]
        units = [l["config"]["units"] for l in layers]
        width = layers[0]["config"]["batch_input_shape"][1]
        expected = sum(u * i + u for u, i in zip(units, [width] + units[:-1]))
        weights = f["model_weights"]
        assert weights.shape == (expected,) and weights.dtype == "float32", (weights.shape, expected)
        assert f.attrs["keras_version"] == "2.15.0" and f.attrs["backend"] == "tensorflow"
        json.loads(f.attrs["training_config"])
        return f"{len(layers)} layers, {expected} parameters, superblock v{f.id.get_create_plist().get_version()[0]}"
check("big-keras.h5", keras_h5)
sys.exit(1 if failed else 0)
PYEOF
