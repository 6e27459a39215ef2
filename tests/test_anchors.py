"""Anchors and signed checkpoints, as a user drives them: ``verify --expect-head``,
``verify --against EXPORT``, ``keygen``, ``sign`` and ``verify --trusted-key`` - and a forger
who rewrites the whole log and hashes it all again. On every backend."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REVIEWER
from tests.support.tampering import Database
from tests.test_tamper import new_demo, problems, run, verify_json


@pytest.fixture
def desk(new_target: str | Path, capsys: pytest.CaptureFixture[str]) -> Database:
    """The demo project (7 events) with one annotation (event 8): a file or a database."""
    if isinstance(new_target, Path):
        new_target = new_target.with_name("desk.crosscheck")
    db = new_demo(capsys, new_target)
    article = json.loads(run(capsys, "articles", db.argument, "--json")[1])[0]["id"]
    code, _out, err = run(
        capsys, "annotate", db.argument, article, "--quote", "Azerbaijan", "--verdict",
        "disputed", "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    return db


def head(capsys: pytest.CaptureFixture[str], db: Database) -> tuple[str, int]:
    report = verify_json(capsys, db)
    assert report["ok"], report["problems"]
    return report["head_hash"], report["head_seq"]


def forge_verdict(db: Database) -> None:
    """Turn the annotation's 'disputed' into 'supported' in the row and in every event."""
    db.rehash(
        "UPDATE audit_events SET after = replace(after, '\"disputed\"', '\"supported\"'), "
        "before = replace(before, '\"disputed\"', '\"supported\"')",
    )
    db.attack("UPDATE annotations SET verdict = 'supported'")


# --- expected heads -------------------------------------------------------------------------


def test_expect_head_holds_while_the_log_grows(desk: Database, capsys) -> None:
    published, seq = head(capsys, desk)
    code, out, err = run(
        capsys, "verify", desk.argument, "--expect-head", published, "--expect-seq", seq
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        f"{desk.location}: the log still holds the expected head {published[:12]}… at event 8 "
        "(0 events since)"
    )
    article = json.loads(run(capsys, "articles", desk.argument, "--json")[1])[1]["id"]
    code, _out, err = run(
        capsys, "annotate", desk.argument, article, "--start", "0", "--end", "5", "--verdict",
        "supported", "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "verify", desk.argument, "--expect-head", published.upper())
    assert (code, err) == (0, "")
    assert "at event 8 (1 event since)" in out


def test_a_rewritten_log_is_found_by_the_head_published_before(desk: Database, capsys) -> None:
    published, seq = head(capsys, desk)
    forge_verdict(desk)
    code, _out, err = run(capsys, "verify", desk.argument)
    assert (code, err) == (0, ""), "re-hashed whole, the file agrees with itself"
    forged = head(capsys, desk)[0]
    assert problems(capsys, desk, "--expect-head", published, "--expect-seq", str(seq)) == [
        f"event 8 has hash {forged[:12]}…, not the expected head {published[:12]}…: the log "
        "was rewritten up to there (or the head is from another project)"
    ]
    assert problems(capsys, desk, "--expect-head", published) == [
        f"the log does not hold the expected head {published[:12]}…: it was cut short or "
        "rewritten since (or the head is from another project)"
    ]


def test_an_expected_head_at_the_wrong_event(desk: Database, capsys) -> None:
    published, _seq = head(capsys, desk)
    assert problems(capsys, desk, "--expect-head", published, "--expect-seq", "3") == [
        f"the expected head {published[:12]}… is event 8 of the log, not event 3"
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--expect-seq", "3"], "--expect-seq goes with --expect-head"),
        (["--expect-head", "abc", "--expect-seq", "0"], "is not an event number (1 or more)"),
    ],
)
def test_anchor_usage_errors(desk: Database, capsys, argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as caught:
        run(capsys, "verify", desk.argument, *argv)
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_a_malformed_head_is_refused(desk: Database, capsys) -> None:
    code, out, err = run(capsys, "verify", desk.argument, "--expect-head", "abc\ndef")
    assert (code, out) == (1, "")
    assert err == ("crosscheck: error: 'abc\\ndef' is not a head hash (64 hexadecimal digits)\n")


# --- exports as anchors ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["audit-jsonl", "audit-csv"])
def test_the_project_still_extends_its_export(
    desk: Database, capsys, fmt: str, tmp_path: Path
) -> None:
    export = tmp_path / ("kept." + ("jsonl" if fmt == "audit-jsonl" else "csv"))
    assert run(capsys, "export", desk.argument, "-f", fmt, "-o", export)[0] == 0
    published, _seq = head(capsys, desk)
    code, out, err = run(capsys, "verify", desk.argument, "--against", export)
    assert (code, err) == (0, "")
    assert f"the log still holds the export {export.name} {published[:12]}… at event 8" in out
    forge_verdict(desk)
    [problem] = problems(capsys, desk, "--against", export)
    assert problem.startswith("event 8 has hash ")
    assert problem.endswith(
        f"not the export {export.name} {published[:12]}…: the log was rewritten up to there "
        "(or the head is from another project)"
    )


def test_the_export_against_the_project_asks_the_same(
    desk: Database, capsys, tmp_path: Path
) -> None:
    export = tmp_path / "kept.jsonl"
    assert run(capsys, "export", desk.argument, "-f", "audit-jsonl", "-o", export)[0] == 0
    published, _seq = head(capsys, desk)
    code, out, err = run(capsys, "verify", export, "--against", desk.argument)
    assert (code, err) == (0, "")
    assert f"the log still holds the export {export.name} {published[:12]}… at event 8" in out
    forge_verdict(desk)
    code, out, err = run(capsys, "verify", export, "--against", desk.argument)
    assert code == 1 and out == ""
    assert f"not the export {export.name} {published[:12]}…: the log was rewritten" in err


def test_an_export_of_another_project(desk: Database, tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.crosscheck"
    assert run(capsys, "new", other, "--demo", "--reviewer", REVIEWER)[0] == 0
    export = tmp_path / "other.jsonl"
    assert run(capsys, "export", other, "-f", "audit-jsonl", "-o", export)[0] == 0
    [problem] = problems(capsys, desk, "--against", export)
    assert problem.startswith("the export other.jsonl comes from another project (id ")


def test_an_edited_export_vouches_for_nothing(desk: Database, capsys, tmp_path: Path) -> None:
    export = tmp_path / "kept.jsonl"
    assert run(capsys, "export", desk.argument, "-f", "audit-jsonl", "-o", export)[0] == 0
    export.write_text(export.read_text().replace("disputed", "supported"))
    [problem] = problems(capsys, desk, "--against", export)
    assert problem.startswith("the export kept.jsonl is not sound itself (event 8 (")


def test_anchors_apply_to_a_project_not_an_export(desk: Database, capsys, tmp_path: Path) -> None:
    export = tmp_path / "kept.jsonl"
    assert run(capsys, "export", desk.argument, "-f", "audit-jsonl", "-o", export)[0] == 0
    with pytest.raises(SystemExit) as caught:
        run(capsys, "verify", export, "--against", export)
    assert caught.value.code == 2
    assert "give the project first and the export with --against" in capsys.readouterr().err


# --- signed checkpoints ---------------------------------------------------------------------


def keygen(capsys, path: Path) -> str:
    code, out, err = run(capsys, "keygen", path, "--comment", "Test Reviewer, desk")
    assert code == 0, err
    return out.splitlines()[-1].removeprefix("Fingerprint: ")


def test_keygen_writes_a_private_and_a_public_key(tmp_path: Path, capsys) -> None:
    fingerprint = keygen(capsys, tmp_path / "me")
    assert stat.S_IMODE((tmp_path / "me").stat().st_mode) == 0o600
    public = (tmp_path / "me.pub").read_text()
    assert public.startswith("ssh-ed25519 AAAA") and public.endswith(" Test Reviewer, desk\n")
    assert fingerprint.startswith("SHA256:")
    if shutil.which("ssh-keygen"):
        listed = subprocess.run(
            ["ssh-keygen", "-lf", str(tmp_path / "me.pub")], capture_output=True, text=True
        )
        assert listed.stdout.split()[1] == fingerprint


def test_sign_and_verify_every_signature(desk: Database, tmp_path: Path, capsys) -> None:
    fingerprint = keygen(capsys, tmp_path / "me")
    code, out, err = run(
        capsys, "sign", desk.argument, "--key", tmp_path / "me", "--reviewer", REVIEWER
    )
    assert code == 0, err
    # The key is logged first (event 9), then the checkpoint signs that head (event 10).
    assert out.startswith(f"{desk.location}: signed event 9 (head ")
    assert out.endswith(f") with {fingerprint}; checkpoint is event 10\n")
    assert (
        run(capsys, "sign", desk.argument, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    )
    code, out, err = run(capsys, "verify", desk.argument, "--trusted-key", tmp_path / "me.pub")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"{desk.location}: OK: 11 audit events")
    assert lines[1:] == [
        f"{desk.location}: checkpoint at event 10: event 9 signed by {fingerprint} ({REVIEWER}), "
        "signature valid",
        f"{desk.location}: checkpoint at event 11: event 10 signed by {fingerprint} ({REVIEWER}), "
        "signature valid",
        f"{desk.location}: the trusted key {fingerprint} vouches for the log up to event 10",
    ]


def test_a_rewritten_log_breaks_its_checkpoints(desk: Database, tmp_path: Path, capsys) -> None:
    keygen(capsys, tmp_path / "me")
    assert (
        run(capsys, "sign", desk.argument, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    )
    forge_verdict(desk)
    rewritten = desk.scalar("SELECT hash FROM audit_events WHERE seq = 9")
    [problem] = problems(capsys, desk)
    assert problem.startswith("checkpoint at event 10: signs head ")
    assert problem.endswith(
        f"at event 9, but that event's hash is now {rewritten[:12]}…: the log was rewritten "
        "up to there"
    )


def test_a_forger_who_signs_with_their_own_key(desk: Database, tmp_path: Path, capsys) -> None:
    """Rewritten, with the checkpoint dropped and re-signed by another key, the file agrees
    with itself; only the reviewer's own public key, kept outside it, shows the forgery."""
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    keygen(capsys, mine)
    keygen(capsys, theirs)
    assert run(capsys, "sign", desk.argument, "--key", mine, "--reviewer", REVIEWER)[0] == 0
    assert run(capsys, "verify", desk.argument, "--trusted-key", f"{mine}.pub")[0] == 0
    desk.rehash("DELETE FROM audit_events WHERE seq >= 9")
    forge_verdict(desk)
    assert run(capsys, "sign", desk.argument, "--key", theirs, "--reviewer", "Mallory")[0] == 0
    assert run(capsys, "verify", desk.argument)[0] == 0
    theirs_fp = (tmp_path / "theirs.pub").read_text().split()[1]
    assert theirs_fp
    [problem] = problems(capsys, desk, "--trusted-key", f"{mine}.pub")
    assert problem.startswith("no valid checkpoint is signed by the trusted key SHA256:")


def test_a_forged_signature(desk: Database, tmp_path: Path, capsys) -> None:
    keygen(capsys, tmp_path / "me")
    assert (
        run(capsys, "sign", desk.argument, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    )
    signature = json.loads(desk.scalar("SELECT after FROM audit_events WHERE seq = 10"))[
        "signature"
    ]
    forged = ("A" if signature[0] != "A" else "B") + signature[1:]
    desk.rehash(f"UPDATE audit_events SET after = replace(after, '{signature}', '{forged}')")
    [problem] = problems(capsys, desk)
    assert problem.startswith("checkpoint at event 10: the signature does not verify with key ")


def test_a_passphrase_protects_the_key(desk: Database, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CROSSCHECK_KEY_PASSPHRASE", "correct horse")
    code, out, err = run(capsys, "keygen", tmp_path / "me")
    assert code == 0 and "protected by the passphrase" in out, err
    assert b"ENCRYPTED" in (tmp_path / "me").read_bytes()
    monkeypatch.delenv("CROSSCHECK_KEY_PASSPHRASE")
    code, _out, err = run(
        capsys, "sign", desk.argument, "--key", tmp_path / "me", "--reviewer", REVIEWER
    )
    assert (code, err) == (
        1,
        f"crosscheck: error: {tmp_path / 'me'}: the key is protected by a passphrase; set "
        "CROSSCHECK_KEY_PASSPHRASE\n",
    )
    monkeypatch.setenv("CROSSCHECK_KEY_PASSPHRASE", "wrong")
    code, _out, err = run(
        capsys, "sign", desk.argument, "--key", tmp_path / "me", "--reviewer", REVIEWER
    )
    assert code == 1 and "not a private key, or the passphrase is wrong" in err
    monkeypatch.setenv("CROSSCHECK_KEY_PASSPHRASE", "correct horse")
    assert (
        run(capsys, "sign", desk.argument, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    )
    assert verify_json(capsys, desk)["checkpoints"][0]["ok"] is True


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="needs ssh-keygen")
def test_an_openssh_key_signs_too(desk: Database, tmp_path: Path, capsys) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    assert run(capsys, "sign", desk.argument, "--key", key, "--reviewer", REVIEWER)[0] == 0
    assert run(capsys, "verify", desk.argument, "--trusted-key", f"{key}.pub")[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a private key file (PEM or OpenSSH)"),
        (b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
         "not a private key file"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_key(desk: Database, tmp_path: Path, capsys, content, message) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(content)
    code, _out, err = run(capsys, "sign", desk.argument, "--key", bad, "--reviewer", REVIEWER)
    assert code == 1 and message in err and err.count("\n") == 1
    assert verify_json(capsys, desk)["events"] == 8  # nothing was written


# --- checkpoints and merged copies ----------------------------------------------------------


def test_a_checkpoint_signed_in_a_copy_holds_once_merged(
    desk: Database, tmp_path: Path, capsys
) -> None:
    """Signed on the road, merged after the desk went on: the checkpoint's event and the head
    it signs have other numbers here, and are checked against the copy's chain as merged."""
    road = tmp_path / "road.crosscheck"
    assert run(capsys, "copy", desk.argument, road)[0] == 0
    fingerprint = keygen(capsys, tmp_path / "me")
    article = json.loads(run(capsys, "articles", road, "--json")[1])[1]["id"]
    code, _out, err = run(
        capsys, "annotate", road, article, "--start", "0", "--end", "5", "--verdict",
        "supported", "--reviewer", "Olena",
    )  # fmt: skip
    assert code == 0, err
    assert run(capsys, "sign", road, "--key", tmp_path / "me", "--reviewer", "Olena")[0] == 0
    # Meanwhile at the desk: the shared chain goes on, so the copy's events move on merging.
    code, _out, err = run(
        capsys, "annotate", desk.argument, article, "--start", "10", "--end", "20",
        "--verdict", "disputed", "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    code, _out, err = run(capsys, "merge", desk.argument, road, "--reviewer", "Desk Editor")
    assert code == 0, err
    code, out, err = run(capsys, "verify", desk.argument, "--trusted-key", tmp_path / "me.pub")
    assert (code, err) == (0, "")
    # In the copy: the key at event 11, the checkpoint at 12 signing event 11; here both
    # follow the desk's own event 9 and the reviewer added with it.
    assert f"event 11 signed by {fingerprint} (Olena), signature valid" in out
    assert f"the trusted key {fingerprint} vouches for the log up to event 11" in out
