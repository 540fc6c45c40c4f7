"""CTranslate2 Whisper weights (``model.bin``) read in numpy and converted to an openai-whisper checkpoint.

The layout read is CTranslate2's ``python/ctranslate2/specs/model_spec.py`` ``_serialize``; every
dimension of the checkpoint comes from the tensors themselves.
"""

from __future__ import annotations

import re
import struct
from dataclasses import asdict
from pathlib import Path

import numpy as np

from rehearse.errors import ModelError
from rehearse.model_files import Progress, atomic, emit


def convert_ct2_checkpoint(source: Path, dest: Path, progress: Progress | None = None) -> Path:
    """Convert a CTranslate2 Whisper model directory into an openai-whisper checkpoint.

    Args:
        source: a directory holding a float16/float32 CTranslate2 ``model.bin`` (WhisperSpec).
        dest: where to write the ``.pt`` checkpoint (atomically).
        progress: called with stages "convert" and "save".

    Returns:
        ``dest``.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper, sinusoids

    model_bin = source / "model.bin"
    spec, var = _read_ct2(model_bin)
    if spec != "WhisperSpec":
        raise ModelError(f"{model_bin} holds a CTranslate2 {spec}, not a Whisper model.")
    try:  # every dimension comes from the tensors themselves
        (audio_ctx, audio_state), (text_ctx, text_state) = (
            var[f"{side}/position_encodings/encodings"].shape for side in ("encoder", "decoder"))
        dims = ModelDimensions(
            n_mels=var["encoder/conv1/weight"].shape[1], n_vocab=len(var["decoder/embeddings/weight"]),
            n_audio_ctx=audio_ctx, n_audio_state=audio_state, n_audio_head=int(var["encoder/num_heads"]),
            n_audio_layer=_count_layers(var, "encoder"), n_text_layer=_count_layers(var, "decoder"),
            n_text_ctx=text_ctx, n_text_state=text_state, n_text_head=int(var["decoder/num_heads"]),
        )
        state = _whisper_state(var, dims, progress)
    except KeyError as e:
        raise ModelError(f"{model_bin} lacks the Whisper variable {e.args[0]}.") from e
    # The encoder's positions are fixed sinusoids (a buffer in whisper's state dict); the file holds
    # an fp16 rounding of them. Store whisper's exact values, after checking they are the same.
    exact = sinusoids(audio_ctx, audio_state).numpy()
    if np.abs(_f32(var, "encoder/position_encodings/encodings") - exact).max() > 1e-2:
        raise ModelError(f"{model_bin} has encoder positions unlike Whisper's sinusoids.")
    state["encoder.positional_embedding"] = exact
    tensors = {key: torch.from_numpy(value) for key, value in state.items()}
    try:  # a strict load catches any name or shape this mapping got wrong, before anything is saved
        Whisper(dims).load_state_dict(tensors)
    except RuntimeError as e:
        raise ModelError(f"{model_bin} does not map onto openai-whisper's layers: {e}") from e
    emit(progress, "save", 0, 1)
    with atomic(dest) as tmp:  # torch.save's zip format: the transcriber memory-maps it
        torch.save({"dims": asdict(dims), "model_state_dict": tensors}, tmp)
    emit(progress, "save", 1, 1)
    return dest


# -- CTranslate2 model.bin: see python/ctranslate2/specs/model_spec.py `_serialize` ---------------

# Type ids of include/ctranslate2/types.h; bfloat16 is read as raw uint16 (numpy has no bfloat16).
_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: np.uint16}
_BFLOAT16 = 5


def _read_ct2(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """Read a CTranslate2 model.bin: its spec name and its variables by name (aliases resolved)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"Cannot read {path}: {e.strerror or e}.") from e
    offset = 0

    def take(fmt: str) -> int:
        nonlocal offset
        (value,) = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return value

    def string() -> str:
        nonlocal offset
        length = take("H")  # counts the trailing NUL
        offset += length
        return data[offset - length : offset - 1].decode("utf-8")

    try:
        version = take("I")
        if not 4 <= version <= 6:  # 4 introduced type ids; 6 is what CTranslate2 writes today
            raise ModelError(f"{path} is CTranslate2 binary version {version}; only 4-6 are read.")
        spec = string()
        take("I")  # spec revision: whisper's layer names have not changed across revisions
        variables: dict[str, np.ndarray] = {}
        for _ in range(take("I")):
            name = string()
            shape = [take("I") for _ in range(take("B"))]
            type_id, size = take("B"), take("I")
            dtype = np.dtype(_CT2_DTYPES[type_id])
            array = np.frombuffer(data, dtype, size // dtype.itemsize, offset).reshape(shape)
            if type_id == _BFLOAT16:
                array = (array.astype(np.uint32) << 16).view(np.float32)
            variables[name] = array
            offset += size
        for _ in range(take("I")):  # aliases, e.g. the output projection tied to the embedding
            alias = string()
            variables[alias] = variables[string()]
    except (struct.error, ValueError, KeyError, UnicodeDecodeError) as e:
        raise ModelError(f"{path} is not a readable CTranslate2 model (truncated or corrupt).") from e
    return spec, variables


def _count_layers(variables: dict[str, np.ndarray], side: str) -> int:
    pattern = re.compile(rf"{side}/layer_(\d+)/")
    return 1 + max(int(m.group(1)) for name in variables if (m := pattern.match(name)))


def _f32(variables: dict[str, np.ndarray], name: str) -> np.ndarray:
    array = variables[name]
    if array.dtype.kind != "f":
        raise ModelError(f"{name} is quantized ({array.dtype}); only float16/float32 models convert.")
    return np.array(array, dtype=np.float32)  # a writable copy, so torch can share it


def _whisper_state(var: dict[str, np.ndarray], dims, progress: Progress | None) -> dict:
    """Map CTranslate2 names onto openai-whisper's ``model.py`` names, splitting fused projections.

    CTranslate2 fuses self-attention's query/key/value rows and cross-attention's key/value rows.
    Whisper's key projection has no bias; CTranslate2's converter stores zeros there, and a key bias
    would not matter anyway: it adds the same q.b to every score of a query, which softmax ignores.
    """
    state: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, part: int = 0, parts: int = 1, bias: bool = True) -> None:
        weight = _f32(var, f"{src}/weight")
        rows = slice(part * len(weight) // parts, (part + 1) * len(weight) // parts)
        state[f"{dst}.weight"] = np.ascontiguousarray(weight[rows])
        if bias:
            state[f"{dst}.bias"] = np.ascontiguousarray(_f32(var, f"{src}/bias")[rows])

    def norm(dst: str, src: str) -> None:
        state[f"{dst}.weight"], state[f"{dst}.bias"] = _f32(var, f"{src}/gamma"), _f32(var, f"{src}/beta")

    def block(dst: str, src: str) -> None:
        for i, name in enumerate(("query", "key", "value")):
            linear(f"{dst}.attn.{name}", f"{src}/self_attention/linear_0", i, 3, name != "key")
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    total = dims.n_audio_layer + dims.n_text_layer
    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    for i in range(dims.n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}")
        emit(progress, "convert", i + 1, total)
    norm("encoder.ln_post", "encoder/layer_norm")
    embedding = var["decoder/embeddings/weight"]
    projection = var.get("decoder/projection/weight", embedding)
    if projection is not embedding and not np.array_equal(projection, embedding):
        raise ModelError("This model's output projection is not its token embedding, as Whisper's is.")
    state["decoder.token_embedding.weight"] = _f32(var, "decoder/embeddings/weight")
    state["decoder.positional_embedding"] = _f32(var, "decoder/position_encodings/encodings")
    for i in range(dims.n_text_layer):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        block(dst, src)
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        linear(f"{dst}.cross_attn.key", f"{src}/attention/linear_1", 0, 2, bias=False)
        linear(f"{dst}.cross_attn.value", f"{src}/attention/linear_1", 1, 2)
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        emit(progress, "convert", dims.n_audio_layer + i + 1, total)
    norm("decoder.ln", "decoder/layer_norm")
    return state
