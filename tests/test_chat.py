"""The terminal player as a person uses it: a real process, a real SQLite file, even kill -9."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Player:
    """`python -m bot chat` in a child process, answered line by line."""

    def __init__(self, db: Path, *args: str, **extra: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **extra}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--db", str(db), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self.seen = ""

    def wait_for(self, text: str, timeout: float = 20) -> str:
        """Read output until `text` appears; return everything read so far."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r}; output was:\n{self.seen}"
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                assert chunk, f"player exited before {text!r}; output was:\n{self.seen}"
                self.seen += chunk.decode()
        return self.seen

    def say(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def kill(self) -> int:
        """SIGKILL the player, as a power cut or an OOM killer would."""
        self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(timeout=10)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return code

    def finish(self) -> str:
        out, _ = self.proc.communicate(timeout=20)
        self.seen += out.decode()
        return self.seen


def test_kill_9_mid_flow_then_resume_at_the_same_step(tmp_path):
    db = tmp_path / "chat.db"
    first = Player(db, "--flow", "tour")
    first.wait_for("Tap the button")
    first.say("")
    first.wait_for("call your partner")
    first.say("Sam")
    first.wait_for("What happened")
    first.say("we argued about the dishes")
    first.wait_for("what do you usually do?")
    assert first.kill() == -signal.SIGKILL

    second = Player(db)
    second.wait_for("Here is where you left off:")
    seen = second.wait_for("what do you usually do?")
    assert "call your partner" not in seen  # resumed, not restarted
    second.say("2")
    second.wait_for("how close do you feel to Sam?")  # the answer from before the kill
    second.say("4")
    second.wait_for("Choose up to three")
    second.say("1,3")
    out = second.finish()
    assert second.proc.returncode == 0
    assert "your way of coping is “I go quiet or leave”" in " ".join(out.split())
    assert "you felt lonely and hurt" in " ".join(out.split())


def test_quitting_keeps_answers_and_a_bad_answer_gets_a_reprompt(tmp_path):
    db = tmp_path / "chat.db"
    script = "\nAlex\nok\nthe party went badly\n/quit\n"
    run = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--flow", "tour", "--db", str(db)],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert run.returncode == 0
    assert "A few words is enough" in run.stdout  # "ok" is too short for this step
    assert "Saved. Run the same command again" in run.stdout
    again = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", str(db)],
        input="9\n1\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert "I didn't catch which one you mean" in again.stdout
    assert "how close do you feel to Alex?" in again.stdout


def test_without_a_flow_it_offers_a_list(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", str(tmp_path / "c.db")],
        input="/quit\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert run.returncode == 0
    assert "Which conversation would you like?" in run.stdout
    assert "A first look around" in run.stdout


def test_sos_in_the_terminal_shows_help_and_a_crisis_message_pauses(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    run = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--flow", "tour", "--db", str(tmp_path / "c.db")],
        input="\n/sos\ni want to die\nyes\n",
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "Here is help you can reach now" in run.stdout
    assert "Are you having thoughts of ending your life" in run.stdout
    assert "findahelpline.com" in run.stdout


def test_a_new_version_of_a_half_played_flow_carries_on_where_it_was(tmp_path):
    from test_versions import V1, V2, write

    flows = tmp_path / "flows"
    write(flows, V1)
    db = tmp_path / "chat.db"
    first = Player(db, "--flow", "evening", FLOWS_DIR=str(flows))
    first.wait_for("How was your day?")
    first.say("1")
    first.wait_for("What would you like tonight?")
    first.say("a quiet walk")
    first.wait_for("Anything else on your mind?")
    first.say("work stuff")
    first.wait_for("What will you do first?")
    first.say("/quit")
    first.finish()

    write(flows, V2)  # renames wish, removes mood and extra, with migrate:
    second = Player(db, "--flow", "evening", FLOWS_DIR=str(flows))
    second.wait_for("What will you do first?")
    second.say("put the kettle on")
    out = second.wait_for("Tonight: a quiet walk. First: put the kettle on.")
    assert "has changed since you began it" not in out
    second.say("/quit")
    second.finish()
