#!/usr/bin/env python3
"""Holds a dialogue with a command on a pseudo-terminal of 80x24, step by step from a file, for
the CLI tests of the interactive intake (tests/cli/record_interactive.sh, record_drafts.sh): beside
expecting and answering (as tests/cli/pty_dialogue.py does for a few prompts), it types Ctrl-C and
Ctrl-D, closes the terminal, checks that a screen fits 80x24, and runs a command meanwhile.

    pty_steps.py TRANSCRIPT DIALOGUE -- COMMAND [ARG...]

DIALOGUE is a file of steps, one a line:

    expect TEXT    wait (up to 30 s) until TEXT appears in the output after the last match (runs
                   of white space match any run, so a wrapped line still matches)
    send TEXT      type TEXT and Enter (an empty TEXT is Enter alone)
    keys TEXT      type TEXT as Python escapes it (keys \x10\r is Ctrl-P, Enter)
    interrupt      type Ctrl-C
    eof            type Ctrl-D
    hangup         close the terminal (the command gets SIGHUP) and wait for it to end
    run COMMAND    run a shell command meanwhile (to change the world under the command)
    fits           the output since the last step that typed fits 80 columns and 24 lines
    # ...          a comment; blank lines are skipped

Unlike a pipe into util-linux `script`, each answer is typed only once its question is on the
screen, as a person would: a Ctrl-C typed early would reach the command before its question.
TRANSCRIPT receives the output with carriage returns and terminal escape sequences removed. Exits with the command's status (128 + N for signal N), or 124 when an
expectation was not met in time, printing the awaited text and the output since the last match.
"""
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import fcntl
import time

TIMEOUT = 30.0
ESCAPES = re.compile(rb'\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]')


def clean(data):
    """The output as read: escape sequences and carriage returns removed. A prefix of the output
    cleans to a prefix of the whole, so positions in it stay valid as output arrives."""
    return ESCAPES.sub(b'', data).replace(b'\r', b'').decode('utf-8', 'replace')


def collapse(text):
    """Runs of white space as one space: what is awaited may be wrapped anywhere."""
    return re.sub(r'\s+', ' ', text)


def main():
    if len(sys.argv) < 5 or sys.argv[3] != '--':
        sys.exit(__doc__)
    transcript_path, dialogue_path, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    steps = []
    with open(dialogue_path, encoding='utf-8') as dialogue:
        for line in dialogue:
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            word, _, rest = line.partition(' ')
            steps.append((word, rest))

    pid, master = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
    output = bytearray()
    # Where the text after the last match starts (in the collapsed output), and where the output
    # after the keys last typed starts (in the cleaned output).
    matched = 0
    typed_at = 0
    closed = False

    def pump(wait):
        nonlocal closed
        if closed:
            return
        ready, _, _ = select.select([master], [], [], wait)
        if not ready:
            return
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''
        if not data:
            closed = True
        output.extend(data)

    def write_transcript():
        with open(transcript_path, 'w', encoding='utf-8') as out:
            out.write(clean(bytes(output)))

    def give_up(message):
        write_transcript()
        sys.stderr.write(f'pty_steps: {message}\n--- output since the last match:\n')
        sys.stderr.write(collapse(clean(bytes(output)))[matched:] + '\n')
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        sys.exit(124)

    def type_keys(data):
        nonlocal typed_at
        # Let the command settle at its prompt before the keys arrive.
        pump(0.05)
        typed_at = len(clean(bytes(output)))
        os.write(master, data)

    for word, rest in steps:
        if word == 'expect':
            deadline = time.monotonic() + TIMEOUT
            wanted = collapse(rest)
            while True:
                found = collapse(clean(bytes(output))).find(wanted, matched)
                if found >= 0:
                    matched = found + len(wanted)
                    break
                if closed or time.monotonic() > deadline:
                    give_up(f'expected {rest!r}' + (' (the command ended)' if closed else ''))
                pump(0.2)
        elif word == 'send':
            type_keys(rest.encode('utf-8') + b'\r')
        elif word == 'keys':
            type_keys(rest.encode('utf-8').decode('unicode_escape').encode('latin-1'))
        elif word == 'interrupt':
            type_keys(b'\x03')
        elif word == 'eof':
            type_keys(b'\x04')
        elif word == 'run':
            pump(0.05)
            if subprocess.run(rest, shell=True).returncode != 0:
                give_up(f'{rest!r} failed')
        elif word == 'hangup':
            pump(0.05)
            os.close(master)
            closed = True
        elif word == 'fits':
            for _ in range(3):
                pump(0.1)
            shown = clean(bytes(output))[typed_at:].split('\n')
            # The first line is the one the keys were typed on, the last the next prompt.
            wide = [line for line in shown if len(line) > 80]
            if len(shown) > 25 or wide:
                give_up(f'{len(shown) - 1} lines, {len(wide)} wider than 80 columns: does not fit '
                        '80x24')
        else:
            sys.exit(f'pty_steps: unknown step {word!r}')

    deadline = time.monotonic() + TIMEOUT
    while not closed and time.monotonic() < deadline:
        pump(0.2)
    write_transcript()
    if not closed:
        give_up('the command did not end')
    deadline = time.monotonic() + TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            give_up('the command did not end')
        time.sleep(0.05)
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == '__main__':
    main()
