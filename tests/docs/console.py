"""Run the ```console blocks of a docs page the way a reader copies them.

A block's lines starting with `$ ` are commands; the lines under a command are output the
reader should see: each must match a line of the real output, in order. In an expected line
`<something>` stands for any text (a password, a date) and a line `...` for any lines. A
command exits 0 unless its output ends with a line `(exit status N)`.
All commands of a page run in one bash, in order, from a fresh folder laid out like a
checkout (examples/ and docs/ copied, .venv linked), so `export` and files carry over. A
database a page makes on a shared server gets a name of the run's own (`names`), so two runs
at once on one machine never meet.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
_STATUS = re.compile(r"^\(exit status (\d+)\)$")
_FENCE = re.compile(r"^```console\s*$(.*?)^```\s*$", re.M | re.S)


@dataclass
class Command:
    line: int  # 1-based line of the page
    text: str
    expected: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        m = _STATUS.match(self.expected[-1].strip()) if self.expected else None
        return int(m.group(1)) if m else 0


def commands(page: Path) -> list[Command]:
    """The commands of every console block of `page`, with their expected output."""
    source = page.read_text(encoding="utf-8")
    out: list[Command] = []
    for m in _FENCE.finditer(source):
        first = source.count("\n", 0, m.start(1)) + 1
        for i, raw in enumerate(m.group(1).strip("\n").splitlines()):
            if raw.startswith("$ "):
                out.append(Command(line=first + i + 1, text=raw[2:]))
            elif out and raw.strip():
                out[-1].expected.append(raw)
            elif not out:
                raise ValueError(f"{page}:{first + i}: output before the first command")
    return out


def _pattern(expected: str) -> re.Pattern[str]:
    parts = re.split(r"<[^<>]+>", " ".join(expected.split()))
    return re.compile(".+?".join(re.escape(p) for p in parts))


def check_output(cmd: Command, output: str) -> str | None:
    """None when every expected line matches an output line, in order; else what is missing."""
    lines = [" ".join(x.split()) for x in output.splitlines()]
    at = 0
    for exp in cmd.expected:
        if exp.strip() == "..." or _STATUS.match(exp.strip()):
            continue
        pat = _pattern(exp)
        while at < len(lines) and not pat.search(lines[at]):
            at += 1
        if at == len(lines):
            return f"expected a line like {exp.strip()!r}"
        at += 1
    return None


def workdir(tmp: Path) -> Path:
    """A folder laid out like a checkout after `make install`."""
    shutil.copytree(ROOT / "examples", tmp / "examples")
    shutil.copytree(DOCS, tmp / "docs")
    (tmp / ".venv").symlink_to(Path(sys.prefix))
    return tmp


def renamed(cmd: Command, names: dict[str, str]) -> Command:
    """`cmd` with each name of `names` (a whole word: a database a guide makes) replaced by
    its stand-in, in the command and in the output it expects."""
    if not names:
        return cmd
    word = re.compile(
        r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b"
    )

    def swap(text: str) -> str:
        return word.sub(lambda m: names[m.group(1)], text)

    return Command(cmd.line, swap(cmd.text), [swap(e) for e in cmd.expected])


def run_page(
    page: Path,
    tmp: Path,
    prelude: list[str] | None = None,
    where: Path | None = None,
    names: dict[str, str] | None = None,
) -> list[str]:
    """Run the page's commands; the failures, each naming the page line (`where` names the
    page in messages when it is not under docs/). `names` gives the databases the page makes
    on a shared server names of this run's own (`renamed`)."""
    cmds = [renamed(c, names or {}) for c in commands(page)]
    tmp.mkdir(parents=True, exist_ok=True)
    assert cmds, f"{page} has no console block"
    wd = workdir(tmp)
    marker = f"@@{uuid.uuid4().hex}@@"
    script = ["set -u", "source .venv/bin/activate"] + [f"{c} >/dev/null" for c in prelude or []]
    for c in cmds:
        script += [f"echo '{marker} begin'", "{ " + c.text + "\n} 2>&1", f'echo "{marker} $?"']
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STEWARD_", "PROMARK_", "VIRTUAL_ENV"))
    }
    # Its own session: a server a page starts in the background ends with the page.
    proc = subprocess.Popen(
        ["bash", "-c", "\n".join(script)],
        cwd=wd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    chunks = done.stdout.split(f"{marker} begin\n")[1:]
    problems: list[str] = []
    shown = (where or page).relative_to(DOCS)
    if done.stderr.strip() or len(chunks) != len(cmds):
        problems.append(f"{shown}: the page's script stopped: {done.stderr[-2000:]}")
    for cmd, chunk in zip(cmds, chunks, strict=False):
        output, _, rc = chunk.rpartition(f"{marker} ")
        at = f"{shown}:{cmd.line}: $ {cmd.text}"
        if rc.strip() != str(cmd.status):
            problems.append(f"{at}: exit {rc.strip()}\n{output[-3000:]}")
        elif (missing := check_output(cmd, output)) is not None:
            problems.append(f"{at}: {missing}\n{output[-3000:]}")
    return problems
