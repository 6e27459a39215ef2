"""Signed checkpoints: a reviewer's Ed25519 signature over the chain's head at some event.

A checkpoint is an audit event (``checkpoint.signed``) holding the signed event's seq and hash,
the signature and the id of the key, whose public half was logged before (``signing_key.added``).
The signed bytes are the canonical JSON of ``{"context", "project_id", "seq", "head_hash"}``, so
a signature vouches for one project's log up to one event and cannot be moved to another.

Keys: the private key is a PEM (PKCS #8) file, optionally protected by a passphrase; an
unencrypted OpenSSH ``ed25519`` key works too. Public keys are OpenSSH lines (``ssh-ed25519
AAAA...``) and are named by the same fingerprint ``ssh-keygen -l`` prints (``SHA256:...``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.audit import canonical_json
from desktop.core.errors import InvalidInput, shown

CONTEXT = "crosscheck checkpoint v1"
PASSPHRASE_ENV = "CROSSCHECK_KEY_PASSPHRASE"
PUBLIC_SUFFIX = ".pub"
_KEY_TYPE = "ssh-ed25519"


def checkpoint_message(project_id: str, seq: int, head_hash: str) -> bytes:
    """The bytes a checkpoint signs."""
    return canonical_json(
        {"context": CONTEXT, "head_hash": head_hash, "project_id": project_id, "seq": seq}
    ).encode("utf-8")


# --- keys -----------------------------------------------------------------------------------


def fingerprint(public_line: str) -> str:
    """OpenSSH's fingerprint of a public key line: ``SHA256:`` + unpadded base64."""
    blob = _blob(public_line)
    digest = hashlib.sha256(blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def _blob(public_line: str) -> bytes:
    parts = public_line.split()
    if len(parts) < 2 or parts[0] != _KEY_TYPE:
        raise InvalidInput(f"not an Ed25519 public key ({_KEY_TYPE} AAAA…): {shown(public_line)}")
    try:
        return base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"the public key {shown(parts[1][:20])}… is not base64") from None


def public_line(private_key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    raw: bytes = private_key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return raw.decode("ascii")


def _public_key(line: str) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    _blob(line)
    try:
        key = serialization.load_ssh_public_key(" ".join(line.split()[:2]).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise InvalidInput(f"not a usable Ed25519 public key: {shown(line[:40])}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("not an Ed25519 public key")
    return key


def generate_key_files(path: Path, *, passphrase: str | None = None, comment: str = "") -> str:
    """Write a new private key to ``path`` (mode 0600) and its public line to ``path.pub``.

    Refuses to replace anything, a link included. Returns the public key's fingerprint.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.core.outputs import create_new_file

    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    line = public_line(key) + (f" {' '.join(comment.split())}" if comment.strip() else "")
    public_path = path.with_name(path.name + PUBLIC_SUFFIX)
    create_new_file(path, private, mode=0o600)
    try:
        create_new_file(public_path, (line + "\n").encode("utf-8"), mode=0o644)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return fingerprint(line)


def load_private_key(path: Path, passphrase: str | None = None) -> Any:
    """An Ed25519 private key from a PEM or (unencrypted) OpenSSH file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{shown(path)}: no such key file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{shown(path)}: is a folder, not a key file") from None
    except OSError as exc:
        raise InvalidInput(f"{shown(path)}: cannot be read ({exc.strerror or exc})") from None
    password = passphrase.encode("utf-8") if passphrase else None
    key: Any
    try:
        if b"BEGIN OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password)
        else:
            key = serialization.load_pem_private_key(data, password)
    except TypeError:
        # Encrypted without a passphrase given, or a passphrase given for a plain key.
        if password is None:
            raise InvalidInput(
                f"{shown(path)}: the key is protected by a passphrase; set {PASSPHRASE_ENV}"
            ) from None
        key = serialization.load_pem_private_key(data, None)
    except ValueError:
        if password is not None:
            raise InvalidInput(
                f"{shown(path)}: not a private key, or the passphrase is wrong"
            ) from None
        raise InvalidInput(f"{shown(path)}: not a private key file (PEM or OpenSSH)") from None
    except Exception as exc:  # an OpenSSH key encrypted with bcrypt, an unknown format
        raise InvalidInput(f"{shown(path)}: cannot use this key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{shown(path)}: not an Ed25519 key (make one with crosscheck keygen)")
    return key


def read_public_key(value: str | os.PathLike[str]) -> str:
    """A public key line from a ``.pub`` file (or the line itself); checked."""
    text = os.fspath(value)
    if not text.startswith(_KEY_TYPE + " "):
        try:
            text = Path(text).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise InvalidInput(f"{shown(value)}: no such public key file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{shown(value)}: cannot be read ({exc})") from None
    line = text.splitlines()[0].strip() if text.strip() else ""
    _public_key(line)
    return line


def sign(private_key: Any, project_id: str, seq: int, head_hash: str) -> str:
    """The base64 signature of a checkpoint."""
    signature: bytes = private_key.sign(checkpoint_message(project_id, seq, head_hash))
    return base64.b64encode(signature).decode("ascii")


# --- checking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointResult:
    """One checkpoint as checked: ``seq`` is its own event, ``signed_seq`` the head it signs."""

    seq: int
    signed_seq: int | None
    head_hash: str | None
    fingerprint: str | None
    owner: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        who = f" ({self.owner})" if self.owner else ""
        if self.ok:
            return (
                f"checkpoint at event {self.seq}: event {self.signed_seq} signed by "
                f"{self.fingerprint}{who}, signature valid"
            )
        return f"checkpoint at event {self.seq}: {self.problem}"

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "signed_seq": self.signed_seq,
            "head_hash": self.head_hash,
            "fingerprint": self.fingerprint,
            "owner": self.owner,
            "ok": self.ok,
            "problem": self.problem,
        }


State = tuple[str, int, dict[str, Any]]  # entity id, seq of its event, its logged state


def check_checkpoints(
    project_id: str | None,
    keys: Iterable[State],
    checkpoints: Iterable[State],
    hash_at: Callable[[int, int], str | None],
    verified_events: int,
) -> list[CheckpointResult]:
    """Check every signature against the public key logged for it before it.

    ``hash_at(checkpoint_seq, seq)`` gives the stored hash of event ``seq`` of the chain the
    checkpoint was made in (a copy's, for one merged from it); ``verified_events``: how many
    events from the first the hash chain proved (a checkpoint beyond that cannot be vouched
    for).
    """
    by_id = {key_id: (seq, state) for key_id, seq, state in keys}
    results = []
    for _cp_id, seq, cp in sorted(checkpoints, key=lambda s: s[1]):
        results.append(_check_one(project_id, by_id, seq, cp, hash_at, verified_events))
    return results


def _check_one(
    project_id: str | None,
    keys: dict[str, tuple[int, dict[str, Any]]],
    seq: int,
    cp: dict[str, Any],
    hash_at: Callable[[int, int], str | None],
    verified: int,
) -> CheckpointResult:
    signed_seq = cp.get("seq") if isinstance(cp.get("seq"), int) else None
    head = cp.get("head_hash") if isinstance(cp.get("head_hash"), str) else None
    key_entry = keys.get(str(cp.get("key_id")))
    owner = key_entry[1].get("owner") if key_entry else None
    result = CheckpointResult(seq, signed_seq, head, cp.get("fingerprint"), owner)

    def failed(problem: str) -> CheckpointResult:
        return CheckpointResult(seq, signed_seq, head, result.fingerprint, owner, problem)

    if signed_seq is None or head is None or not isinstance(cp.get("signature"), str):
        return failed("incomplete (no seq, head hash or signature)")
    if key_entry is None:
        return failed(f"signed with key {cp.get('key_id')!r}, which the log does not hold")
    key_seq, key = key_entry
    if key_seq >= seq:
        return failed(f"its key was logged only at event {key_seq}, after it")
    line = key.get("public_key")
    try:
        public = _public_key(str(line))
        actual = fingerprint(str(line))
    except InvalidInput as exc:
        return failed(f"its key is unusable ({exc})")
    if actual != key.get("fingerprint") or actual != cp.get("fingerprint"):
        return failed(f"names key {cp.get('fingerprint')}, but the logged key is {actual}")
    if project_id is None or cp.get("project_id") != project_id:
        return failed(f"signed for another project ({cp.get('project_id')!r})")
    if not 0 < signed_seq < seq:
        return failed(f"signs event {signed_seq}, which does not come before it")
    if signed_seq > verified:
        return failed(f"signs event {signed_seq}, beyond the part of the chain that is intact")
    stored = hash_at(seq, signed_seq)
    if stored != head:
        return failed(
            f"signs head {head[:12]}… at event {signed_seq}, but that event's hash is now "
            f"{(stored or 'missing')[:12]}…: the log was rewritten up to there"
        )
    from cryptography.exceptions import InvalidSignature

    try:
        signature = base64.b64decode(cp["signature"], validate=True)
        public.verify(signature, checkpoint_message(project_id, signed_seq, head))
    except (InvalidSignature, binascii.Error, ValueError):
        return failed(f"the signature does not verify with key {actual}")
    return result


def trusted_key_problems(
    results: Sequence[CheckpointResult], trusted: Sequence[str]
) -> tuple[list[str], list[str]]:
    """For each trusted public key line: what it vouches for, or the problem that it vouches
    for nothing. Returns (notes, problems)."""
    notes, problems = [], []
    for line in trusted:
        fp = fingerprint(line)
        signed = [r for r in results if r.ok and r.fingerprint == fp]
        if not signed:
            problems.append(f"no valid checkpoint is signed by the trusted key {fp}")
            continue
        last = max(signed, key=lambda r: r.signed_seq or 0)
        notes.append(f"the trusted key {fp} vouches for the log up to event {last.signed_seq}")
    return notes, problems
