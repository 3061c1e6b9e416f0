#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""List the external commands that shell scripts and a Makefile run.

    commands.py FILE...     prints "COMMAND FILE:LINE" once per command,
                            at its first use

A small shell lexer, not a shell: comments, quoted text, here-documents
and case patterns are dropped; what stands in command position (line
start, after ; | & && || ( ) { } ! $( and backquotes, after keywords such
as then/do/else, and after wrappers such as exec, env, timeout, xargs,
`ip netns exec NS`) is a command. Functions defined in any of the files,
shell builtins and keywords are left out; so is anything that is a path
or an expansion ("$x", ./foo, scripts/setup). Makefiles: recipe lines and
$(shell ...) calls. tests/style's commands check resolves each name to the
Debian package that provides it.
"""
import re
import sys

KEYWORDS = set("""if then else elif fi do done while until for in case esac
function select time ! [[ ]] { } coproc""".split())
BUILTINS = set("""alias bg bind break builtin caller cd command compgen
complete compopt continue declare dirs disown echo enable eval exec exit
export false fc fg getopts hash help history jobs kill let local logout
mapfile popd printf pushd pwd read readarray readonly return set shift shopt
source suspend test times trap true type typeset ulimit umask unalias unset
wait . : [""".split())
DECLARE = set("local declare export readonly typeset".split())
# Wrappers: how many words (options aside) they take before the command.
WRAPPERS = {"exec": 0, "command": 0, "env": 0, "nice": 0, "nohup": 0,
            "setsid": 0, "timeout": 1, "xargs": 0, "chroot": 1,
            "stdbuf": 0, "taskset": 1, "unshare": 0, "nsenter": 0}
NAME = re.compile(r"^[a-z][a-z0-9_.+-]*$")
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
FUNC = re.compile(r"^\s*(?:function\s+)?([A-Za-z_][\w.-]*)\s*\(\)")
# "pattern)" or "a | b)" at a line's start, with no "(" before it.
CASE_PAT = re.compile(r"""^\s*[^()\s;&|]+(\s*\|\s*[^()\s;&|]+)*\s*\)""")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def close_brace(text, i):
    """Index after the "}" that closes the "${" at i (nesting counted)."""
    depth = 0
    for j in range(i + 1, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def strip(text):
    """Text to command stream: quotes become Q, substitutions separators.

    Every newline of the text is kept, so stream lines are source lines."""
    out, i, n = [], 0, len(text)

    def skip_to(j):
        # Drop text[i:j] but for its newlines.
        out.append("Q" + "\x01" * text.count("\n", i, j))
        return j

    stack = ["n"]  # n: plain, d: in double quotes; each $( pushes n
    while i < n:
        c, top = text[i], stack[-1]
        # Expansions read the same in and out of double quotes.
        if text.startswith("$((", i):
            j = text.find("))", i)
            i = skip_to(n if j < 0 else j + 2)
            continue
        if text.startswith("${", i):
            i = skip_to(close_brace(text, i))
            continue
        if text.startswith("$(", i):
            stack.append("n")
            out.append(" ; ")
            i += 2
            continue
        if top == "n":
            if c == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
                j = text.find("\n", i)
                i = n if j < 0 else j
                continue
            if c == "\\" and i + 1 < n:
                out.append("Q" if text[i + 1] != "\n" else " ")
                i += 2
                continue
            if c == "'":
                j = text.find("'", i + 1)
                i = skip_to(n if j < 0 else j + 1)
                continue
            if text.startswith("((", i) or (c == "(" and i and text[i - 1] == "="):
                # Arithmetic, or an array assignment: no command in it.
                depth, j = 0, i
                while j < n:
                    if text[j] == "(":
                        depth += 1
                    elif text[j] == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                i = skip_to(j + 1)
                continue
            if c == '"':
                stack.append("d")
                out.append("Q")
                i += 1
                continue
            if c == "`":
                out.append(" ; ")
                i += 1
                continue
            if c == ")" and len(stack) > 1:
                stack.pop()
                out.append(" ; Q")
                i += 1
                continue
            out.append(c)
            i += 1
        else:  # in double quotes
            if c == "\n":
                out.append("\x01")
            if c == "\\":
                i += 2
                continue
            if c == '"':
                stack.pop()
                i += 1
                continue
            i += 1
    return "".join(out)


def lines_of(path):
    """(line number, text) of the shell code, here-documents removed."""
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read().split("\n")
    end, out = None, []
    for no, line in enumerate(raw, 1):
        if end is not None:
            if line.strip() == end:
                end = None
            continue
        m = None if line.lstrip().startswith("#") else HEREDOC.search(line)
        if m:
            end = m.group(2)
        out.append((no, line))
    return out


def makefile_lines(path):
    """Recipe lines and $(shell ...) calls of a Makefile, as shell."""
    out, cont, recipe = [], False, False
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            for m in re.finditer(r"\$\(shell ([^)]*)", line):
                out.append((no, m.group(1)))
            # A tab starts a recipe line, unless it continues a rule or
            # an assignment; a recipe's own continuations stay recipe.
            if line.startswith("\t") and (recipe or not cont):
                sh = line.lstrip("\t").lstrip("@-")
                while re.search(r"\$\([^()]*\)", sh):
                    sh = re.sub(r"\$\([^()]*\)", "Q", sh)
                out.append((no, sh.replace("$$", "$")))
                recipe = True
            elif not cont:
                recipe = False
            cont = line.endswith("\\")
    return out


def commands(tokens):
    """The command words of one simple command's tokens."""
    i, found = 0, []
    while i < len(tokens):
        t = tokens[i]
        if t in DECLARE:
            return found
        if re.match(r"^\{\w+\}[<>]", t):
            i += 1
            continue
        if t in KEYWORDS:
            if t in ("for", "select", "case"):
                return found  # "for x in LIST": no command here
            i += 1
            continue
        if ASSIGN.match(t) or re.match(r"^\d*[<>]", t) or t in ("<", ">"):
            i += 1 if not re.match(r"^\d*[<>]+&?$", t) else 2
            continue
        if t in WRAPPERS:
            found.append(t) if t not in BUILTINS else None
            if t == "command" and i + 1 < len(tokens) and tokens[i + 1] == "-v":
                found.extend(tokens[i + 2:])
                return found
            skip = WRAPPERS[t]
            i += 1
            while i < len(tokens) and (tokens[i].startswith("-") or ASSIGN.match(tokens[i])):
                i += 1
            i += skip
            continue
        if t == "ip" and tokens[i + 1:i + 3] == ["netns", "exec"]:
            found.append("ip")
            i += 4
            continue
        found.append(t)
        return found
    return found


def scan(path, lines, funcs, seen):
    # Continuation lines are joined, with empty lines after the join so
    # that each stream line still maps back to its source line.
    joined, pending, extra = [], "", 0
    for _, l in lines:
        l = CASE_PAT.sub(" ", l) if not pending else l
        if l.endswith("\\"):
            pending += l[:-1] + " "
            extra += 1
            continue
        joined.append(pending + l)
        joined.extend([""] * extra)
        pending, extra = "", 0
    joined.append(pending)
    text = "\n".join(joined)
    # "\n" ends a command; "\x01" is a newline inside one (quoted text).
    numbers = [no for no, _ in lines] or [0]
    idx = 0
    for part in re.split(r"(\|\||&&|;;|[;|&()!\n])", strip(text)):
        no = numbers[min(idx, len(numbers) - 1)]
        idx += part.count("\n") + part.count("\x01")
        for w in commands(part.replace("\x01", " ").split()):
            if (NAME.match(w) and w not in BUILTINS and w not in KEYWORDS
                    and w not in funcs and w not in seen):
                seen[w] = f"{path}:{no}"


def main(paths):
    funcs, shell = set(), []
    for p in paths:
        if p.endswith("Makefile") or p.endswith(".mk"):
            shell.append((p, makefile_lines(p)))
            continue
        lines = lines_of(p)
        for _, l in lines:
            m = FUNC.match(l)
            if m:
                funcs.add(m.group(1))
        shell.append((p, lines))
    seen = {}
    for p, lines in shell:
        if lines:
            scan(p, lines, funcs, seen)
    for w in sorted(seen):
        print(w, seen[w])


if __name__ == "__main__":
    main(sys.argv[1:])
