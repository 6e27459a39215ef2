"""Anchors and signed checkpoints, as a user drives them: ``verify --expect-head``,
``verify --against EXPORT``, ``keygen``, ``sign`` and ``verify --trusted-key`` - and a forger
who rewrites the whole log and hashes it all again."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from desktop.core import audit
from desktop.core.storage.schema import AUDIT_TRIGGERS
from tests.conftest import REVIEWER
from tests.test_tamper import attack, problems, run, verify_json


@pytest.fixture
def desk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The demo project (7 events) with one annotation (event 8)."""
    path = tmp_path / "desk.crosscheck"
    assert run(capsys, "new", path, "--demo", "--reviewer", REVIEWER)[0] == 0
    article = json.loads(run(capsys, "articles", path, "--json")[1])[0]["id"]
    code, _out, err = run(
        capsys, "annotate", path, article, "--quote", "Azerbaijan", "--verdict", "disputed",
        "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    return path


def head(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[str, int]:
    report = verify_json(capsys, path)
    assert report["ok"], report["problems"]
    return report["head_hash"], report["head_seq"]


def rehash(path: Path, statement: str) -> None:
    """What a forger with the file does: change something, then recompute every hash after
    it so that the chain is intact again."""
    attack(path, statement)
    conn = sqlite3.connect(path)
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    prev = audit.GENESIS_HASH
    for row in conn.execute("SELECT * FROM audit_events ORDER BY seq").fetchall():
        seq, eid, at, rid, name, action, etype, entity, before, after, _prev, _hash = row
        digest = audit.chain_hash(
            prev,
            audit.event_bytes(
                seq=seq, event_id=eid, at=at, reviewer_id=rid, reviewer=name, action=action,
                entity_type=etype, entity_id=entity, before=before, after=after,
            ),
        )  # fmt: skip
        conn.execute(
            "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq)
        )
        prev = digest
    for sql in AUDIT_TRIGGERS.values():
        conn.execute(sql)
    conn.commit()
    conn.close()


def forge_verdict(path: Path) -> None:
    """Turn the annotation's 'disputed' into 'supported' in the row and in every event."""
    rehash(
        path,
        "UPDATE audit_events SET after = replace(after, '\"disputed\"', '\"supported\"'), "
        "before = replace(before, '\"disputed\"', '\"supported\"')",
    )
    attack(path, "UPDATE annotations SET verdict = 'supported'")


# --- expected heads -------------------------------------------------------------------------


def test_expect_head_holds_while_the_log_grows(desk: Path, capsys) -> None:
    published, seq = head(capsys, desk)
    code, out, err = run(capsys, "verify", desk, "--expect-head", published, "--expect-seq", seq)
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        f"{desk}: the log still holds the expected head {published[:12]}… at event 8 "
        "(0 events since)"
    )
    article = json.loads(run(capsys, "articles", desk, "--json")[1])[1]["id"]
    assert run(capsys, "annotate", desk, article, "--start", "0", "--end", "5", "--verdict",
               "supported", "--reviewer", REVIEWER)[0] == 0  # fmt: skip
    code, out, err = run(capsys, "verify", desk, "--expect-head", published.upper())
    assert (code, err) == (0, "")
    assert "at event 8 (1 event since)" in out


def test_a_rewritten_log_is_found_by_the_head_published_before(desk: Path, capsys) -> None:
    published, seq = head(capsys, desk)
    forge_verdict(desk)
    code, _out, err = run(capsys, "verify", desk)
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


def test_an_expected_head_at_the_wrong_event(desk: Path, capsys) -> None:
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
def test_anchor_usage_errors(desk: Path, capsys, argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as caught:
        run(capsys, "verify", desk, *argv)
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_a_malformed_head_is_refused(desk: Path, capsys) -> None:
    code, out, err = run(capsys, "verify", desk, "--expect-head", "abc\ndef")
    assert (code, out) == (1, "")
    assert err == ("crosscheck: error: 'abc\\ndef' is not a head hash (64 hexadecimal digits)\n")


# --- exports as anchors ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["audit-jsonl", "audit-csv"])
def test_the_project_still_extends_its_export(desk: Path, capsys, fmt: str) -> None:
    export = desk.with_name("kept." + ("jsonl" if fmt == "audit-jsonl" else "csv"))
    assert run(capsys, "export", desk, "-f", fmt, "-o", export)[0] == 0
    published, _seq = head(capsys, desk)
    code, out, err = run(capsys, "verify", desk, "--against", export)
    assert (code, err) == (0, "")
    assert f"the log still holds the export {export.name} {published[:12]}… at event 8" in out
    forge_verdict(desk)
    [problem] = problems(capsys, desk, "--against", export)
    assert problem.startswith("event 8 has hash ")
    assert problem.endswith(
        f"not the export {export.name} {published[:12]}…: the log was rewritten up to there "
        "(or the head is from another project)"
    )


def test_an_export_of_another_project(desk: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.crosscheck"
    assert run(capsys, "new", other, "--demo", "--reviewer", REVIEWER)[0] == 0
    export = tmp_path / "other.jsonl"
    assert run(capsys, "export", other, "-f", "audit-jsonl", "-o", export)[0] == 0
    [problem] = problems(capsys, desk, "--against", export)
    assert problem.startswith("the export other.jsonl comes from another project (id ")


def test_an_edited_export_vouches_for_nothing(desk: Path, capsys) -> None:
    export = desk.with_name("kept.jsonl")
    assert run(capsys, "export", desk, "-f", "audit-jsonl", "-o", export)[0] == 0
    export.write_text(export.read_text().replace("disputed", "supported"))
    [problem] = problems(capsys, desk, "--against", export)
    assert problem.startswith("the export kept.jsonl is not sound itself (event 8 (")


def test_anchors_apply_to_a_project_not_an_export(desk: Path, capsys) -> None:
    export = desk.with_name("kept.jsonl")
    assert run(capsys, "export", desk, "-f", "audit-jsonl", "-o", export)[0] == 0
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


def test_sign_and_verify_every_signature(desk: Path, tmp_path: Path, capsys) -> None:
    fingerprint = keygen(capsys, tmp_path / "me")
    code, out, err = run(capsys, "sign", desk, "--key", tmp_path / "me", "--reviewer", REVIEWER)
    assert code == 0, err
    # The key is logged first (event 9), then the checkpoint signs that head (event 10).
    assert out.startswith(f"{desk}: signed event 9 (head ")
    assert out.endswith(f") with {fingerprint}; checkpoint is event 10\n")
    assert run(capsys, "sign", desk, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    code, out, err = run(capsys, "verify", desk, "--trusted-key", tmp_path / "me.pub")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"{desk}: OK: 11 audit events")
    assert lines[1:] == [
        f"{desk}: checkpoint at event 10: event 9 signed by {fingerprint} ({REVIEWER}), "
        "signature valid",
        f"{desk}: checkpoint at event 11: event 10 signed by {fingerprint} ({REVIEWER}), "
        "signature valid",
        f"{desk}: the trusted key {fingerprint} vouches for the log up to event 10",
    ]


def test_a_rewritten_log_breaks_its_checkpoints(desk: Path, tmp_path: Path, capsys) -> None:
    keygen(capsys, tmp_path / "me")
    assert run(capsys, "sign", desk, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    forge_verdict(desk)
    conn = sqlite3.connect(desk)
    rewritten = conn.execute("SELECT hash FROM audit_events WHERE seq = 9").fetchone()[0]
    conn.close()
    [problem] = problems(capsys, desk)
    assert problem.startswith("checkpoint at event 10: signs head ")
    assert problem.endswith(
        f"at event 9, but that event's hash is now {rewritten[:12]}…: the log was rewritten "
        "up to there"
    )


def test_a_forger_who_signs_with_their_own_key(desk: Path, tmp_path: Path, capsys) -> None:
    """Rewritten, with the checkpoint dropped and re-signed by another key, the file agrees
    with itself; only the reviewer's own public key, kept outside it, shows the forgery."""
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    keygen(capsys, mine)
    keygen(capsys, theirs)
    assert run(capsys, "sign", desk, "--key", mine, "--reviewer", REVIEWER)[0] == 0
    assert run(capsys, "verify", desk, "--trusted-key", f"{mine}.pub")[0] == 0
    rehash(desk, "DELETE FROM audit_events WHERE seq >= 9")
    forge_verdict(desk)
    assert run(capsys, "sign", desk, "--key", theirs, "--reviewer", "Mallory")[0] == 0
    assert run(capsys, "verify", desk)[0] == 0
    theirs_fp = (tmp_path / "theirs.pub").read_text().split()[1]
    assert theirs_fp
    [problem] = problems(capsys, desk, "--trusted-key", f"{mine}.pub")
    assert problem.startswith("no valid checkpoint is signed by the trusted key SHA256:")


def test_a_forged_signature(desk: Path, tmp_path: Path, capsys) -> None:
    keygen(capsys, tmp_path / "me")
    assert run(capsys, "sign", desk, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    signature = json.loads(
        sqlite3.connect(desk).execute("SELECT after FROM audit_events WHERE seq = 10").fetchone()[0]
    )["signature"]
    forged = ("A" if signature[0] != "A" else "B") + signature[1:]
    rehash(desk, f"UPDATE audit_events SET after = replace(after, '{signature}', '{forged}')")
    [problem] = problems(capsys, desk)
    assert problem.startswith("checkpoint at event 10: the signature does not verify with key ")


def test_a_passphrase_protects_the_key(desk: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CROSSCHECK_KEY_PASSPHRASE", "correct horse")
    code, out, err = run(capsys, "keygen", tmp_path / "me")
    assert code == 0 and "protected by the passphrase" in out, err
    assert b"ENCRYPTED" in (tmp_path / "me").read_bytes()
    monkeypatch.delenv("CROSSCHECK_KEY_PASSPHRASE")
    code, _out, err = run(capsys, "sign", desk, "--key", tmp_path / "me", "--reviewer", REVIEWER)
    assert (code, err) == (
        1,
        f"crosscheck: error: {tmp_path / 'me'}: the key is protected by a passphrase; set "
        "CROSSCHECK_KEY_PASSPHRASE\n",
    )
    monkeypatch.setenv("CROSSCHECK_KEY_PASSPHRASE", "wrong")
    code, _out, err = run(capsys, "sign", desk, "--key", tmp_path / "me", "--reviewer", REVIEWER)
    assert code == 1 and "not a private key, or the passphrase is wrong" in err
    monkeypatch.setenv("CROSSCHECK_KEY_PASSPHRASE", "correct horse")
    assert run(capsys, "sign", desk, "--key", tmp_path / "me", "--reviewer", REVIEWER)[0] == 0
    assert verify_json(capsys, desk)["checkpoints"][0]["ok"] is True


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="needs ssh-keygen")
def test_an_openssh_key_signs_too(desk: Path, tmp_path: Path, capsys) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    assert run(capsys, "sign", desk, "--key", key, "--reviewer", REVIEWER)[0] == 0
    assert run(capsys, "verify", desk, "--trusted-key", f"{key}.pub")[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a private key file (PEM or OpenSSH)"),
        (b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
         "not a private key file"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_key(desk: Path, tmp_path: Path, capsys, content, message) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(content)
    code, _out, err = run(capsys, "sign", desk, "--key", bad, "--reviewer", REVIEWER)
    assert code == 1 and message in err and err.count("\n") == 1
    assert verify_json(capsys, desk)["events"] == 8  # nothing was written
