"""Convert recordings (files, folders, ``.tar`` streams) into the catalog's Minari datasets.

One recording of 1000 frames becomes one episode of T = 999 transitions: observations are
frames 0..999 (RGB uint8), actions are the factored actions of frames 0..998 (the last
action has no next frame and is dropped), ``truncations[-1]`` is True and every
termination is False. Rewards use the env's default :class:`~csgo_env.rewards.RewardSpec`
(``kill - 0.5*death - 0.02*shot``) with this alignment::

    rewards[t] = spec(kill=helper[t+1, 0], death=helper[t+1, 1], shot=actions[t, fire])

``helper`` (``frame_{i}_helperarr``) of frame t+1 holds the kill/death counter changes
observed when frame t+1 was grabbed, i.e. the events that happened after action t. The
flags themselves are kept per frame in ``infos["kill"]`` / ``infos["death"]`` (length
T+1, like the observations, as Minari stores infos: index 0 is the reset info, always 0).

With metadata (the ``currvarsv2`` files given as ``metadata=``, or found beside each
recording or archive), each episode also carries the per-frame game state of
:mod:`csgo_env.datasets.minari.episode_meta` (positions, view angles, velocity, health,
armour, clip ammo, weapon, kill/death counters). A metadata file that does not match its
recording (another file number or frame count, see
:mod:`csgo_env.datasets.pearce.metadata_pairing`) is reported with both names and not
merged; the episode is converted without it.

Each file is routed to its dataset id by its bare name (:func:`catalog.dataset_of`).
Workers (``workers``, default ``os.cpu_count()``) each read, check and write whole episodes
in parallel — an episode never crosses a process boundary, so memory is about one episode
per worker whatever the dataset size. Storage and resume rules: :mod:`minari_storage`,
:mod:`convert_state`.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import temp_name
from csgo_env.actions import vectors_to_multidiscrete
from csgo_env.datasets.minari import convert_state as state
from csgo_env.datasets.minari import storage as ms
from csgo_env.datasets.minari.catalog import NAMESPACE, dataset_of, get_dataset_info
from csgo_env.datasets.pearce.families import family_of
from csgo_env.datasets.pearce.layout import FRAMES_PER_FILE
from csgo_env.datasets.pearce.tar_source import (
    SourceUnit,
    collect_units,
    hash_file,
    shard_units,
    stream_members,
)
from csgo_env.errors import CsgoEnvError, DatasetError, DatasetNotFound, explain
from csgo_env.rewards import DEFAULT_REWARD, RewardSpec, transition_rewards


def build_episode(frames: np.ndarray, action_vectors: np.ndarray, helper: np.ndarray,
                  reward: RewardSpec = DEFAULT_REWARD) -> ms.EpisodeArrays:
    """One episode from a recording's arrays (n frames -> n-1 transitions).

    ``frames`` uint8 (n, 150, 280, 3) RGB; ``action_vectors`` (n, 51) 0/1; ``helper``
    (n, 2) ``[kill, death]`` 0/1. Raises :class:`DatasetError` (or ``InvalidAction``) on
    inconsistent shapes or values; alignment as in the module docstring.
    """
    ms.check_frames(frames)
    n = frames.shape[0]
    helper = np.asarray(helper, dtype=np.float64)
    if n < 2 or action_vectors.shape[0] != n or helper.shape != (n, 2):
        raise DatasetError(explain("recording arrays disagree", expected=f"{n} frames, "
                                   f"({n}, 51) actions, ({n}, 2) helper",
                                   got=f"{action_vectors.shape} and {helper.shape}"))
    bad = ~np.isin(helper, (0.0, 1.0))
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise DatasetError(explain(f"kill/death flag of frame {row} is not 0 or 1",
                                   got=str(helper[row].tolist())))
    actions = vectors_to_multidiscrete(action_vectors)[:-1]
    kill, death = helper[:, 0] == 1.0, helper[:, 1] == 1.0
    steps = n - 1
    truncations = np.zeros(steps, dtype=bool)
    truncations[-1] = True
    return ms.EpisodeArrays(
        observations=frames, actions=actions,
        rewards=transition_rewards(helper, actions, reward),
        terminations=np.zeros(steps, dtype=bool), truncations=truncations,
        kill=kill, death=death)


@dataclass(frozen=True)
class Task:
    """One recording to convert, as sent to a worker process."""

    source: str
    path: str
    dataset_id: str
    target: str
    sha256: str | None
    size: int
    delete_after: bool
    jpeg: bool
    synthetic: bool
    metadata: tuple[str, ...] = ()
    """Metadata files to take this recording's game state from (the first that holds it)."""
    metadata_problem: str | None = None
    """Why no metadata is merged, found before the worker ran (reported, not fatal)."""


@dataclass(frozen=True)
class TaskResult:
    """What a worker reports back (never the episode data itself)."""

    task: Task
    problems: tuple[str, ...]
    sha256: str | None = None
    frames: int = 0
    seconds: float = 0.0
    metadata_file: str | None = None
    metadata_problem: str | None = None


def convert_one(task: Task) -> TaskResult:
    """Read, check and write one episode; failures come back as ``problems``, not raised."""
    from csgo_env.datasets.pearce.reader import Recording

    start = time.perf_counter()
    try:
        # Hashed in this thread, so one worker is one core and --workers scales with cores.
        sha256 = task.sha256 or hash_file(Path(task.path))
        with Recording(task.path) as rec:
            arrays = rec.read_all()
        if arrays.frames.shape[0] != FRAMES_PER_FILE:
            raise DatasetError(explain("recording has the wrong length",
                                       expected=f"{FRAMES_PER_FILE} frames",
                                       got=str(arrays.frames.shape[0])))
        episode = build_episode(arrays.frames, arrays.action_vectors, arrays.helper)
        del arrays
        meta_file, meta_problem, meta = _episode_meta(task, episode.observations.shape[0])
        if meta is not None:
            episode = dataclasses.replace(episode, meta=meta[0], meta_known=meta[1])
        found = family_of(task.source)
        info = dataset_of(task.source)
        attrs = {"source_file": task.source, "source_sha256": sha256,
                 "family": info.family.name, "file_number": found[1] if found else 0,
                 "split": info.split, "jpeg": task.jpeg, "synthetic": task.synthetic,
                 "metadata_file": meta_file or ""}
        ms.write_episode_file(Path(task.target), episode, attrs, jpeg=task.jpeg)
        return TaskResult(task, (), sha256, episode.observations.shape[0],
                          time.perf_counter() - start, meta_file, meta_problem)
    except (CsgoEnvError, OSError, ValueError, KeyError) as exc:
        first = f"{type(exc).__name__}: {exc}"
        return TaskResult(task, (first, *_problems(task.path, already=str(exc))))
    finally:
        if task.delete_after:
            Path(task.path).unlink(missing_ok=True)


_META_CACHE: dict[str, Any] = {}
"""The metadata file a worker loaded last (path -> MetadataFile): files of one metadata
file come one after another, and one loaded file can be large."""


def _episode_meta(task: Task, frames: int) -> tuple[str | None, str | None, Any]:
    """``(metadata file name, problem, (values, known) or None)`` for ``task``'s episode."""
    from csgo_env.datasets.minari.episode_meta import meta_arrays
    from csgo_env.datasets.pearce.metadata_pairing import MetadataFile, recording_number
    from csgo_env.errors import MetadataMismatch

    if not task.metadata:
        return None, task.metadata_problem, None
    problems = []
    for path in task.metadata:
        try:
            if path not in _META_CACHE:
                _META_CACHE.clear()
                _META_CACHE[path] = MetadataFile.load(path)
            meta = _META_CACHE[path]
            _, number = recording_number(task.source)
            curr_vars = meta.curr_vars(number, frames, recording=task.source)
        except (MetadataMismatch, CsgoEnvError, OSError, ValueError) as exc:
            problems.append(str(exc))
            continue
        return Path(path).name, None, meta_arrays(curr_vars)
    return None, "; ".join(problems), None


def _problems(path: str, limit: int = 8, *, already: str = "") -> list[str]:
    """Every problem the validator finds in a file that failed (capped at ``limit``),
    leaving out what ``already`` (the error that stopped the conversion) says."""
    from csgo_env.datasets.pearce.validate import validate_recording

    try:
        found = validate_recording(path, deep=True).problems
    except (CsgoEnvError, OSError, ValueError):
        return []
    return [f"validation: {p}" for p in found if p not in already][:limit]


@dataclass
class ConversionReport:
    """Outcome of :func:`convert`; ``ok`` is False when any recording was skipped."""

    converted: list[str] = field(default_factory=list)
    already_done: int = 0
    failed: dict[str, list[str]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    with_metadata: dict[str, str] = field(default_factory=dict)
    """Converted source -> the metadata file merged into its episode."""
    metadata_rejected: dict[str, str] = field(default_factory=dict)
    """Converted source -> why its metadata was not merged (names both files)."""
    finalized: dict[str, int] = field(default_factory=dict)
    frames: int = 0
    seconds: float = 0.0
    stopped_early: bool = False

    @property
    def ok(self) -> bool:
        """True when every recording converted (or was already converted)."""
        return not self.failed and not self.stopped_early

    def summary(self) -> str:
        """Human-readable report, one line per dataset and per failure."""
        rate = self.frames / self.seconds if self.seconds else 0.0
        lines = [f"converted {len(self.converted)} recordings ({self.frames} frames, "
                 f"{rate:,.0f} frames/s), {self.already_done} already done, "
                 f"{len(self.failed)} failed"]
        lines += [f"  dataset {k}: {v} episodes" for k, v in sorted(self.finalized.items())]
        if self.with_metadata:
            lines.append(f"  game state from metadata merged into {len(self.with_metadata)} "
                         "episodes")
        lines += [f"  METADATA NOT MERGED for {k}: {v}"
                  for k, v in sorted(self.metadata_rejected.items())]
        lines += [f"  FAILED {k}: {'; '.join(v)}" for k, v in sorted(self.failed.items())]
        lines += [f"  ignored {x}" for x in self.ignored]
        return "\n".join(lines)


def _synthetic(path: Path) -> bool:
    """Whether a recording (or an archive's member, given as archive folder / member name)
    is marked synthetic by a ``SYNTHETIC`` sidecar file (csgo_env.datasets.synthetic.recordings)."""
    from csgo_env.datasets.synthetic.recordings import is_synthetic

    return is_synthetic(path)


class _Planner:
    """Turns units into tasks, skipping episodes already on disk."""

    def __init__(self, root: Path, wanted: set[str] | None, jpeg: bool, report: ConversionReport,
                 bar: Any, metadata: Sequence[Path] | None = None,
                 find_metadata: bool = True) -> None:
        self.root, self.wanted, self.jpeg, self.report, self.bar = root, wanted, jpeg, report, bar
        self.metadata = None if metadata is None else [Path(p) for p in metadata]
        self.find_metadata = find_metadata
        self.touched: set[str] = set()
        self._done: dict[str, set[str]] = {}
        self._opened: set[str] = set()

    def route(self, name: str) -> str | None:
        """Dataset id of ``name`` or None when filtered out or already converted."""
        did = dataset_of(name).dataset_id
        if self.wanted is not None and did not in self.wanted:
            return None
        self.touched.add(did)
        if did not in self._done:
            self._done[did] = state.done_sources(self.root, did)
        if name in self._done[did]:
            self.report.already_done += 1
            return None
        if did not in self._opened:
            state.open_for_writing(self.root, did)
            self._opened.add(did)
        return did

    def metadata_for(self, path: Path) -> tuple[tuple[str, ...], str | None]:
        """``(metadata candidates, problem)`` for the recording at ``path`` (a file, or an
        archive member named as if it lay beside its archive).

        Given files are matched by name (``currvarsv2_{stub}{a}_to_{b}.npy`` covering the
        recording's family and number); given files named otherwise are all candidates and
        the worker checks their contents. Without given files, the one beside it is used.
        """
        from csgo_env.datasets.pearce.metadata_pairing import (
            METADATA_NAME,
            metadata_beside,
            recording_number,
        )

        try:
            stub, number = recording_number(path)
        except CsgoEnvError as exc:
            return (), str(exc) if self.metadata else None
        if self.metadata is None:
            found = metadata_beside(path) if self.find_metadata else None
            return ((str(found),) if found else ()), None
        candidates = []
        for meta in self.metadata:
            m = METADATA_NAME.match(meta.name)
            if m is None or (m.group("stub") == stub
                             and int(m.group("a")) <= number <= int(m.group("b"))):
                candidates.append(str(meta))
        if candidates:
            return tuple(candidates), None
        names = ", ".join(m.name for m in self.metadata)
        return (), (f"none of the metadata files given ({names}) covers {path.name} (family "
                    f"stub {stub!r}, file number {number}); converted without game state")

    def target(self, did: str, name: str) -> Path:
        return ms.staging_dir(self.root, did) / ms.EPISODES_DIR / name

    def tasks(self, units: Sequence[SourceUnit]) -> Iterator[Task]:
        for unit in units:
            if unit.kind == "file":
                did = self.route(unit.path.name)
                if did is None:
                    self.bar.update(unit.size)
                    continue
                yield Task(unit.path.name, str(unit.path), did,
                           str(self.target(did, unit.path.name)), None, unit.size, False,
                           self.jpeg, _synthetic(unit.path), *self.metadata_for(unit.path))
                continue
            pending: dict[str, str] = {}

            def incoming(name: str, _pending: dict[str, str] = pending) -> Path | None:
                did = self.route(name)
                if did is None:
                    return None
                _pending[name] = did
                staging = ms.staging_dir(self.root, did)
                return temp_name(staging / "incoming" / name)

            for member in stream_members(unit.path, incoming, on_bytes=self.bar.update):
                did = pending.pop(member.name)
                yield Task(member.name, str(member.path), did, str(self.target(did, member.name)),
                           member.sha256, 0, True, self.jpeg,
                           member.synthetic or _synthetic(unit.path.parent / member.name),
                           *self.metadata_for(unit.path.parent / member.name))


def convert(sources: Sequence[str | os.PathLike[str]], *, out_dir: str | Path | None = None,
            dataset_ids: Sequence[str] | None = None, workers: int | None = None,
            shard: tuple[int, int] = (1, 1), jpeg: bool = False, strict: bool = False,
            progress: bool = True, metadata: Sequence[str | os.PathLike[str]] | None = None,
            find_metadata: bool = True) -> ConversionReport:
    """Convert ``sources`` into the catalog's datasets under ``out_dir`` (Minari root).

    ``dataset_ids`` keeps only recordings of those ids; ``shard=(k, N)`` converts every
    N-th unit (file or archive) starting at the k-th and leaves finishing to :func:`merge`;
    a (1, 1) run finishes its datasets itself. Reruns resume. ``strict`` stops at the
    first failing recording. Peak memory is about one episode (~0.4 GB) per worker, plus
    the metadata file it reads. ``metadata``: ``currvarsv2`` files to take the game state
    from (default: the one beside each recording or archive, unless ``find_metadata`` is
    False).
    """
    from tqdm.auto import tqdm

    from csgo_env import __version__

    started = time.perf_counter()
    if dataset_ids:
        for did in dataset_ids:
            get_dataset_info(did)
    workers = max(1, int(workers or os.cpu_count() or 1))
    root = ms.minari_root(out_dir)
    root_existed = root.exists()
    units, ignored = collect_units(sources)
    if not units:
        raise DatasetNotFound(explain(
            "no recordings to convert", expected="*.hdf5 files with the authors' names or "
            ".tar archives of them", got=f"none in {', '.join(map(str, sources))}"
            + (f" ({len(ignored)} other file(s) ignored: {ignored[0]}...)" if ignored else ""),
            fix="point at the folder (or the .tar archives) holding the downloaded "
                "recordings; the dataset cards, datasets/README.md, say where to get them"))
    units = shard_units(units, *shard)
    report = ConversionReport(ignored=ignored)
    bar = tqdm(total=sum(u.size for u in units), unit="B", unit_scale=True, desc="convert",
               disable=not progress, file=sys.stderr, smoothing=0.1)
    if metadata:
        for path in metadata:
            if not Path(path).is_file():
                raise DatasetError(explain("metadata file not found", got=str(path),
                                           fix="pass existing currvarsv2_*.npy files"))
    planner = _Planner(root, set(dataset_ids) if dataset_ids else None, jpeg, report, bar,
                       metadata=[Path(p) for p in metadata] if metadata else None,
                       find_metadata=find_metadata)

    def handle(result: TaskResult) -> None:
        task = result.task
        if result.problems:
            report.failed[task.source] = list(result.problems)
            state.record_failure(root, task.dataset_id, task.source, list(result.problems))
        else:
            report.converted.append(task.source)
            report.frames += result.frames
            if result.metadata_file:
                report.with_metadata[task.source] = result.metadata_file
            if result.metadata_problem:
                report.metadata_rejected[task.source] = result.metadata_problem
        bar.update(task.size)
        bar.set_postfix(episodes=len(report.converted), failed=len(report.failed))

    try:
        if workers == 1:
            for task in planner.tasks(units):
                handle(convert_one(task))
                if strict and report.failed:
                    report.stopped_early = True
                    break
        else:
            _run_pool(planner.tasks(units), workers, handle, report, strict)
    finally:
        bar.close()
    if not report.stopped_early:
        if shard == (1, 1):
            for did in sorted(planner.touched):
                meta = state.finalize(root, did, tool_version=__version__)
                if meta is not None:
                    report.finalized[did] = int(meta["total_episodes"])
        else:
            state.write_manifest(root, *shard, {
                "datasets": sorted(planner.touched), "units": [str(u.path) for u in units],
                "converted": len(report.converted), "failed": sorted(report.failed)})
    if shard == (1, 1):
        state.remove_empty_folders(root, sorted(planner.touched), remove_root=not root_existed)
    report.seconds = time.perf_counter() - started
    return report


def _run_pool(tasks: Iterator[Task], workers: int, handle: Any, report: ConversionReport,
              strict: bool) -> None:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    # Up to two tasks per worker are queued (tasks carry paths, never frames), and results
    # are handled as they complete, so no worker waits behind a slow file.
    inflight: set[Future[TaskResult]] = set()
    pending = iter(tasks)
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        try:
            while True:
                for task in itertools.islice(pending, 2 * workers - len(inflight)):
                    inflight.add(pool.submit(convert_one, task))
                if not inflight:
                    return
                done, inflight = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in done:
                    handle(fut.result())
                if strict and report.failed:
                    report.stopped_early = True
                    return
        finally:
            for fut in inflight:
                fut.cancel()


def merge(out_dir: str | Path | None = None, *, force: bool = False) -> dict[str, int]:
    """Finish the datasets of a sharded conversion once every shard has recorded itself.

    Returns {dataset id: episodes}. Without manifests (or with missing shards) it refuses
    unless ``force``, which finishes whatever is staged.
    """
    from csgo_env import __version__

    root = ms.minari_root(out_dir)
    manifests = state.read_manifests(root)
    n, missing = state.missing_shards(manifests)
    if (missing or not manifests) and not force:
        raise DatasetError(explain(
            "cannot merge yet", expected=f"manifests of all {n or 'N'} shards in "
            f"{root / state.SHARDS_DIR}", got=f"missing shards {missing}" if manifests
            else "no shard manifests", fix="run the missing shards (or pass --force)"))
    ids = {d for m in manifests for d in m.get("datasets", [])}
    if force:
        ids |= {str(p.parent.relative_to(root)) for p in root.glob(f"{NAMESPACE}/*/"
                                                                     f"{ms.STAGING_DIR}")}
    out = {}
    for did in sorted(ids):
        meta = state.finalize(root, did, tool_version=__version__)
        if meta is not None:
            out[did] = int(meta["total_episodes"])
    state.clear_manifests(root)
    return out

