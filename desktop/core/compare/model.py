"""The semantic model: word vectors shipped inside the ``wordllama`` wheel, loaded on first use.

The wheel carries the 256-dimension ``l2_supercat`` vectors and their tokenizer. Its loader
looks for the tokenizer under ``tokenizer/`` while the wheel has ``tokenizers/``, and then
tries to download it; handing it the package's own folder as the cache folder, with downloads
disabled, finds both files and never touches the network.

Nothing here is imported at start-up: the first call to ``vectors`` loads the model (about
0.35 s and 80 MB), later calls reuse it.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.errors import CrosscheckError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float32]

MODEL_NAME = "wordllama l2_supercat 256"
DIMENSIONS = 256

_lock = threading.Lock()
_model: Any = None


class ModelUnavailable(CrosscheckError):
    """The semantic model's files are missing from the installed package."""


def _package_folder() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModelUnavailable("the wordllama package is not installed; reinstall crosscheck")
    return Path(spec.origin).parent


def _load() -> Any:
    folder = _package_folder()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from wordllama import WordLlama
    finally:
        # wordllama configures the root logger when imported; a library must not.
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    try:
        return WordLlama.load(cache_dir=folder, disable_download=True, dim=DIMENSIONS)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise ModelUnavailable(f"the semantic model could not be loaded: {exc}") from None


def model() -> Any:
    """The loaded model (thread-safe; loads once)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load()
    return _model


def loaded() -> bool:
    return _model is not None


def token_sums(texts: list[str]) -> tuple[Floats, Floats]:
    """For each text, the sum of its token vectors and its token count.

    Sums add up, so the vector of any run of clauses is the sum of theirs divided by the sum
    of their counts: the mean pooling the model was trained with.
    """
    import numpy as np

    wl = model()
    sums = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    counts = np.zeros(len(texts), dtype=np.float32)
    if not texts:
        return sums, counts
    table = wl.embedding
    for i, encoding in enumerate(wl.tokenizer.encode_batch(texts, add_special_tokens=False)):
        ids = [t for t, m in zip(encoding.ids, encoding.attention_mask, strict=True) if m]
        if ids:
            sums[i] = table[np.clip(np.asarray(ids), 0, table.shape[0] - 1)].sum(axis=0)
            counts[i] = len(ids)
    return sums, counts


def normalise(sums: Floats) -> Floats:
    """Unit vectors from token sums (dividing by the count only scales, so it is skipped)."""
    import numpy as np

    norms = np.linalg.norm(sums, axis=-1, keepdims=True)
    out: Floats = sums / np.maximum(norms, 1e-9)
    return out


def vectors(texts: list[str]) -> Floats:
    """Unit vectors for whole texts."""
    return normalise(token_sums(texts)[0])
