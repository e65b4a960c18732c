"""The ONNX encoder's build step (bot/embeddings/onnx_build.py)."""
import json
from collections import Counter

import pytest

from bot import settings
from bot.embeddings import onnx_build
from bot.embeddings.build import INFO_FILE


def test_build_is_idempotent(capsys):
    out = settings.DEFAULT_EMBEDDING_ONNX_DIR
    model = out / onnx_build.MODEL_FILE
    before = model.stat().st_mtime_ns
    assert onnx_build.build(out) == out
    assert "up to date" in capsys.readouterr().out
    assert model.stat().st_mtime_ns == before


def test_build_records_source_builder_and_quantization():
    info = json.loads((settings.DEFAULT_EMBEDDING_ONNX_DIR / INFO_FILE).read_text())
    assert info == onnx_build.build_info(settings.DEFAULT_EMBEDDING_MODEL_DIR)
    assert info["builder"] == onnx_build.BUILDER_VERSION and len(info["sha256"]) == 64
    assert info["quantization"]["weight_type"] == "QInt8" and info["quantization"]["per_channel"] is True


def test_source_hash_follows_the_files(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"weights")
    first = onnx_build.source_hash(tmp_path)
    assert onnx_build.source_hash(tmp_path) == first
    (tmp_path / "a.bin").write_bytes(b"weightz")
    assert onnx_build.source_hash(tmp_path) != first


def test_the_graph_is_int8_except_after_gelu():
    import onnx

    graph = onnx.load(str(settings.DEFAULT_EMBEDDING_ONNX_DIR / onnx_build.MODEL_FILE), load_external_data=False).graph
    ops = Counter(node.op_type for node in graph.node)
    assert ops["QAttention"] == 12 and ops["MatMulInteger"] == 24 and ops["QEmbedLayerNormalization"] == 1
    gelu = {o for node in graph.node if node.op_type == "BiasGelu" for o in node.output}
    float_matmuls = [node for node in graph.node if node.op_type == "MatMul"]
    assert len(float_matmuls) == 12 and all(gelu.intersection(node.input) for node in float_matmuls)


def test_missing_source_names_the_build_command(tmp_path, capsys):
    with pytest.raises(onnx_build.SourceModelMissing, match="make embeddings"):
        onnx_build.build(tmp_path / "out", source=tmp_path / "no-model")
    assert onnx_build.main(["--source", str(tmp_path / "no-model"), "--out", str(tmp_path / "out")]) == 2
    assert "make embeddings" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
