"""Runs a command on a new pseudo-terminal and answers its prompts, as a person would.

    pty_dialogue.py PROMPT ANSWER [PROMPT ANSWER ...] -- COMMAND [ARG ...]

Each ANSWER (and a newline) is typed only once PROMPT has appeared in what the command printed
since the previous answer: custody flushes typed-ahead input when it turns echo off for a
passphrase (as getpass does), so answers piped in all at once, as `script` does, would be lost.
Everything the command printed goes to standard output; the exit status is the command's (1 with
a message when a prompt never came within 30 seconds).
"""
import os
import pty
import select
import sys
import time


def main():
    args = sys.argv[1:]
    if '--' not in args:
        sys.exit('usage: pty_dialogue.py PROMPT ANSWER ... -- COMMAND ...')
    split = args.index('--')
    pairs, command = args[:split], args[split + 1:]
    if len(pairs) % 2 != 0 or not command:
        sys.exit('usage: pty_dialogue.py PROMPT ANSWER ... -- COMMAND ...')
    steps = list(zip(pairs[0::2], pairs[1::2]))

    pid, master = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)

    seen = b''
    output = bytearray()
    deadline = time.monotonic() + 30
    while True:
        if steps and steps[0][0].encode() in seen:
            _, answer = steps.pop(0)
            seen = b''
            os.write(master, answer.encode() + b'\n')
            deadline = time.monotonic() + 30
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b''
            if not data:
                break
            seen += data
            output += data
        elif time.monotonic() > deadline:
            sys.stdout.write(output.decode(errors='replace'))
            sys.stdout.write('\npty_dialogue: waited 30 s for %r\n' % (steps[0][0] if steps else 'the end'))
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.exit(1)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(output.decode(errors='replace'))
    if steps:
        sys.stdout.write('\npty_dialogue: the command ended before %r\n' % steps[0][0])
    sys.exit(os.waitstatus_to_exitcode(status) if not steps else 1)


main()
