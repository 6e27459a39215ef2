"""``crosscheck verify``, ``sign`` and ``keygen``: checking a project against its log and
against heads kept elsewhere, and signing checkpoints."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from desktop.core.errors import InvalidInput, shown

PROG = "crosscheck"
AUDIT_EXPORT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")

VERIFY_EPILOG = """\
anchors (a forger who cuts the log short or re-hashes all of it is caught only by these):
  --expect-head HASH [--expect-seq N]   a head printed by an earlier verify, export or sign
  --against EXPORT                      an audit export kept elsewhere (.jsonl, or .csv + .sha256);
                                        "verify EXPORT --against PROJECT" checks the same
  --trusted-key KEY.pub                 a public key known to be the reviewer's own; the log
                                        must hold a valid checkpoint it signed
"""


def add_verify_commands(subparsers: Any) -> None:
    """Register ``verify``, ``sign`` and ``keygen`` on the CLI's subparsers."""
    help_text = (
        "check a project's integrity, audit chain and every row against the log, or an "
        "exported audit log (.jsonl, or .csv with its .sha256); exit 1 on a problem"
    )
    p = subparsers.add_parser(
        "verify",
        help=help_text,
        description=help_text,
        epilog=VERIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=cmd_verify)
    p.add_argument(
        "project", metavar="PROJECT", help="project file or server URL, or an audit export"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--expect-head", metavar="HASH", help="a head the log must still hold")
    p.add_argument("--expect-seq", metavar="N", type=_positive, help="the event that head must be")
    p.add_argument(
        "--against",
        action="append",
        metavar="EXPORT",
        help="an audit export the project must still extend (repeatable)",
    )
    p.add_argument(
        "--trusted-key",
        action="append",
        metavar="KEY.pub",
        help="a public key that must have signed a valid checkpoint (repeatable)",
    )

    help_text = "sign the current head of the audit log with an Ed25519 key (a checkpoint)"
    p = subparsers.add_parser("sign", help=help_text, description=help_text)
    p.set_defaults(func=cmd_sign)
    p.add_argument("project", metavar="PROJECT", help="project file or server URL")
    p.add_argument(
        "--key", required=True, metavar="KEYFILE", help="private key (crosscheck keygen)"
    )
    p.add_argument("--reviewer", metavar="NAME", help="who signs (default: $CROSSCHECK_REVIEWER)")

    help_text = (
        "make an Ed25519 key pair for signing checkpoints: KEYFILE (private, yours alone) and "
        "KEYFILE.pub; protected by $CROSSCHECK_KEY_PASSPHRASE when set"
    )
    p = subparsers.add_parser("keygen", help=help_text, description=help_text)
    p.set_defaults(func=cmd_keygen)
    p.add_argument("keyfile", metavar="KEYFILE", help="where to write the private key")
    p.add_argument("--comment", default="", help="a note kept in the public key line")


def is_audit_export(target: str) -> bool:
    """A file name of an audit export rather than a project (file or server URL)."""
    from desktop.core.store import is_server_url

    return not is_server_url(target) and Path(target).suffix.lower() in AUDIT_EXPORT_SUFFIXES


def check_usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage mistakes of ``verify``, reported like argparse's own (exit 2)."""
    if args.command != "verify":
        return
    if args.expect_seq is not None and args.expect_head is None:
        parser.error("--expect-seq goes with --expect-head")
    against = args.against or []
    if is_audit_export(args.project) and len(against) == 1 and not is_audit_export(against[0]):
        # "verify the export against the project" asks what "verify the project against the
        # export" does: whether the project still holds the export's head.
        args.project, args.against = against[0], [args.project]
    if is_audit_export(args.project) and (args.expect_head or args.against or args.trusted_key):
        parser.error(
            "--expect-head, --against and --trusted-key check a project, not an export: "
            "give the project first and the export with --against"
        )


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.cli import _open
    from desktop.core.anchors import ExpectedHead, parse_head
    from desktop.core.signing import read_public_key
    from desktop.core.verify import VerifyRequest, verify_project

    if is_audit_export(args.project):
        return _verify_audit_export(args)
    expected = (
        (ExpectedHead(parse_head(args.expect_head), args.expect_seq),) if args.expect_head else ()
    )
    request = VerifyRequest(
        expected=expected,
        exports=tuple(Path(p).expanduser() for p in args.against or ()),
        trusted_keys=tuple(read_public_key(Path(k).expanduser()) for k in args.trusted_key or ()),
    )
    with _open(args) as project:
        report = verify_project(project, request)
    name = shown(project.location)
    if args.json:
        _print_json(report.to_json())
    elif report.ok:
        print(f"{name}: {report.summary()}")
        for line in report.details():
            print(f"{name}: {line}")
    for problem in report.problems:
        print(f"{PROG}: error: {name}: {problem}", file=sys.stderr)
    return 0 if report.ok else 1


def _verify_audit_export(args: argparse.Namespace) -> int:
    """Re-check a copy of the audit log (``export --format audit-csv|audit-jsonl``) on its own."""
    from desktop.core.exports.audit_log import check_audit_export

    path = Path(args.project)
    if not path.is_file():
        raise InvalidInput(f"{shown(path)}: no such file")
    report = check_audit_export(path)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "events": report.events,
                "head_hash": report.head_hash,
                "head_seq": report.events,
                "first_bad_event": report.first_bad_seq,
                "problems": [] if report.ok else [report.problem],
            }
        )
    elif report.ok:
        print(
            f"{shown(path)}: OK: {report.events} audit events, chain intact "
            f"(head {report.head_hash} at event {report.events})"
        )
    if not report.ok:
        print(f"{PROG}: error: {shown(path)}: {report.problem}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_sign(args: argparse.Namespace) -> int:
    from desktop.cli import _open, _reviewer
    from desktop.core import operations
    from desktop.core.signing import PASSPHRASE_ENV, load_private_key

    reviewer = _reviewer(args)
    key = load_private_key(Path(args.key).expanduser(), os.environ.get(PASSPHRASE_ENV) or None)
    with _open(args, writes=True) as project:
        changes = operations.sign_checkpoint(project, key, reviewer=reviewer)
    checkpoint = changes.changes[-1].after or {}
    print(
        f"{shown(project.location)}: signed event {checkpoint.get('seq')} "
        f"(head {checkpoint.get('head_hash')}) with {checkpoint.get('fingerprint')}; "
        f"checkpoint is event {changes.changes[-1].seq}"
    )
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from desktop.core.signing import PASSPHRASE_ENV, PUBLIC_SUFFIX, generate_key_files

    path = Path(args.keyfile).expanduser().absolute()
    passphrase = os.environ.get(PASSPHRASE_ENV) or None
    fp = generate_key_files(path, passphrase=passphrase, comment=args.comment)
    protected = "protected by the passphrase" if passphrase else "not protected by a passphrase"
    print(f"Wrote {shown(path)} (private, {protected}; keep it to yourself)")
    print(f"Wrote {shown(path.with_name(path.name + PUBLIC_SUFFIX))} (public; publish it)")
    print(f"Fingerprint: {fp}")
    return 0


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not an event number (1 or more)")
    return number


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
