"""Load and write the recordings' metadata ``.npy`` files without running foreign code.

A metadata file is what ``np.save(path, obj, allow_pickle=True)`` writes for a Python
object: the npy header (magic, version, a dict literal giving dtype ``object`` and shape
``()``) followed by a pickle of a 0-d object array that holds the object. The released
files hold a dict ``{'file_num{N}_frame_{j}': [curr_vars, infer_a, helper]}``.

``np.load(..., allow_pickle=True)`` would run whatever callables the pickle names. Here
the header is parsed with :mod:`numpy.lib.format` and the pickle is read by an unpickler
that resolves only the globals plain data needs: numpy's array, dtype and scalar
reconstructors and a few builtin containers. Any other global is refused with
:class:`~csgo_env.errors.UnsafePickle` before it is looked up, so nothing runs.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.lib import format as npy_format

from csgo_env._atomic import atomic_target
from csgo_env.errors import DatasetError, DatasetNotFound, UnsafePickle, explain

_NUMPY_CORES = ("numpy.core", "numpy._core")  # numpy 1.x and 2.x module names
SAFE_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {(f"{core}.multiarray", name) for core in _NUMPY_CORES for name in ("_reconstruct", "scalar")}
    | {(f"{core}.numeric", "_frombuffer") for core in _NUMPY_CORES}
    | {("numpy", "ndarray"), ("numpy", "dtype"), ("collections", "OrderedDict"),
       ("_codecs", "encode")}
    | {(module, name) for module in ("builtins", "__builtin__")
       for name in ("set", "frozenset", "complex", "bytearray")}
)
"""(module, name) pairs an unpickler may resolve: what numpy arrays, numpy scalars and
plain containers need, across numpy 1.x/2.x and pickle protocols 2-5."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`SAFE_GLOBALS`; anything else is refused."""

    def __init__(self, file: BinaryIO, *, source: str = "<pickle>") -> None:
        super().__init__(file, encoding="latin1")
        self._source = source

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in SAFE_GLOBALS:
            raise UnsafePickle(explain(
                f"{self._source}: the pickle asks for {module}.{name}, which is not plain data;"
                " refused before anything was imported or run",
                expected="containers, numbers, strings, numpy arrays and scalars",
                got=f"{module}.{name}",
                fix="only load metadata from the dataset's publisher; if you trust this file "
                    "completely, np.load(path, allow_pickle=True) would run it"))
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickle(f"{self._source}: the pickle uses persistent ids ({pid!r}); refused")


def load_npy(path: str | os.PathLike[str]) -> Any:
    """Safely load an ``.npy`` file (or a bare pickle) as ``np.load`` would.

    Plain arrays are read with ``allow_pickle=False``; object arrays and bare pickles go
    through :class:`RestrictedUnpickler`. Raises UnsafePickle on a forbidden global and
    DatasetError on a damaged file; both name the file.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetNotFound(f"metadata file {path} does not exist")
    with open(path, "rb") as fh:
        head = fh.read(len(npy_format.MAGIC_PREFIX))
        fh.seek(0)
        try:
            if head != npy_format.MAGIC_PREFIX:
                return RestrictedUnpickler(fh, source=str(path)).load()
            version = npy_format.read_magic(fh)
            shape, _, dtype = _read_header(fh, version)
            if not dtype.hasobject:
                fh.seek(0)
                return npy_format.read_array(fh, allow_pickle=False)
            array = RestrictedUnpickler(fh, source=str(path)).load()
        except UnsafePickle:
            raise
        except (pickle.UnpicklingError, ValueError, EOFError, TypeError, AttributeError,
                IndexError, KeyError, OverflowError) as exc:
            raise DatasetError(explain(f"{path}: not a readable .npy/pickle file ({exc})",
                                       fix="the file is truncated or damaged; download it "
                                           "again")) from exc
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise DatasetError(explain(f"{path}: the pickle does not hold the array its header "
                                   "announces", expected=f"an ndarray of shape {shape}",
                                   got=f"{type(array).__name__}"))
    return array


def load_metadata(path: str | os.PathLike[str]) -> dict:
    """Load a metadata file holding a dict (e.g. ``currvarsv2_*.npy``), safely."""
    value = load_npy(path)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.hasobject:
        value = value.item()
    if not isinstance(value, dict):
        raise DatasetError(explain(f"{path}: metadata must hold a dict",
                                   expected="a pickled dict (np.save of a dict)",
                                   got=type(value).__name__))
    return value


def write_metadata(path: str | os.PathLike[str], metadata: dict) -> Path:
    """Write ``metadata`` exactly as ``np.save(path, metadata, allow_pickle=True)``, atomically.

    The result is checked with :func:`load_npy` before it replaces ``path``, so a dict
    holding anything but plain data is refused (UnsafePickle) and nothing is written.
    """
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(path) as tmp:
        with open(tmp, "wb") as fh:
            np.save(fh, np.asanyarray(metadata), allow_pickle=True)  # what np.save does
        load_npy(tmp)
    return path


def _read_header(fh: io.BufferedReader, version: tuple[int, int]) -> tuple:
    if version == (1, 0):
        return npy_format.read_array_header_1_0(fh)
    if version == (2, 0):
        return npy_format.read_array_header_2_0(fh)
    raise ValueError(f"unsupported .npy format version {version}")


__all__ = ["SAFE_GLOBALS", "RestrictedUnpickler", "load_metadata", "load_npy", "write_metadata"]
