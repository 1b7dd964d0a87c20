"""slime launch scripts (``scripts/run-<model>.sh``): the RL-training settings the Models table describes.

A slime script is bash: flags grouped in arrays (``PERF_ARGS=( --tensor-model-parallel-size 2 ... )``,
also ``+=(``), the GPU counts on a backslash-continued launcher (``ray job submit ... -- python3 train.py
--actor-num-nodes 1 --actor-num-gpus-per-node 8 --colocate ${MODEL_ARGS[@]} ...``), comments everywhere,
and a few expansions: ``$(seq 16 8 256)``, ``$(( 1024*1024*4 ))``, ``${VAR:-default}``. The flags are read
like argparse reads them: in launcher order, the last occurrence wins. Nothing is executed and no other
file is read: a ``source``d model file only adds architecture flags, which no column needs.

These settings describe a training job (Megatron parallelism, rollout batches), not what a serving
instance can carry: nothing here is a QPS or a latency.
"""

from __future__ import annotations

import ast
import hashlib
import re
import shlex
from dataclasses import dataclass, field

from ..labels import count
from .base import BenchmarkFileError, decode_text

FORMAT = "slime launch script"
MAX_SCRIPT_BYTES = 256 * 1024  # slime's own scripts are a few KB
MAX_STATEMENT_CHARS = 64 * 1024  # one flag array or launcher; shlex is slow on anything much longer
MAX_SEQ_VALUES = 10_000  # $(seq ...) longer than this is not a flag value
MAX_ARRAY_TOKENS = 10_000  # a flag array this long is not a launch script
MAX_VALUE_CHARS = 10_000  # a variable this long is not a setting (and doubling it would exhaust memory)
MAX_WORK = 4 * MAX_SCRIPT_BYTES  # characters scanned while expanding: bounds a hostile script's cost
_KEYWORDS = ("then", "else", "do", "{", "!", "export", "readonly", "local", "declare", "typeset")


@dataclass(frozen=True)
class SlimeScript:
    """The Models table's descriptive SLIME columns, as one script sets them (None = not set)."""

    sha256: str
    parallelism: str | None  # "TP/PP/CP/EP", Megatron's training parallel sizes
    max_tokens_per_gpu: int | None
    mem_fraction_static: float | None
    global_batch_size: str | None
    rollout_batch_size: int | None
    samples_per_prompt: int | None
    gpus: int | None  # the whole training job's GPUs
    gpus_detail: str  # how they split (actor nodes x GPUs, rollout, colocated)
    entry_point: str | None
    flags: dict[str, list[str]] = field(repr=False, default_factory=dict)
    notes: tuple[str, ...] = ()
    format: str = FORMAT


# ---------------------------------------------------------------------------------------------
# Lexing: drop comments, join continued lines, split into statements
# ---------------------------------------------------------------------------------------------


def _statements(text: str) -> list[str]:
    """Top-level statements: split at newlines and ';' outside quotes and brackets; comments dropped,
    backslash-newline joined. An array body or a $( ... ) spanning lines stays one statement."""
    out: list[str] = []
    buf: list[str] = []
    quote = ""
    depth = 0  # ( and { nesting, so NAME=( ... ) and ${...} stay whole
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quote == "'":
            buf.append(ch)
            quote = "" if ch == "'" else quote
        elif ch == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                i += 2  # a continued line
                continue
            buf.append(text[i:i + 2])
            i += 2
            continue
        elif quote == '"':
            buf.append(ch)
            quote = "" if ch == '"' else quote
        elif ch in "'\"":
            quote = ch
            buf.append(ch)
        elif ch == "#" and (not buf or buf[-1][-1:] in (" ", "\t", "\n", "(", ";")):
            end = text.find("\n", i)
            i = n if end < 0 else end  # the newline itself still ends the statement
            continue
        elif ch in "({":
            depth += 1
            buf.append(ch)
        elif ch in ")}":
            depth = max(depth - 1, 0)
            buf.append(ch)
        elif ch in "\n;" and depth == 0:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    out.append("".join(buf))
    return [s.strip() for s in out if s.strip()]


def _closing(text: str, start: int, opening: str, closing: str) -> int:
    """Index of the bracket closing the one at ``start`` (quotes respected), or -1."""
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i
    return -1


# ---------------------------------------------------------------------------------------------
# Expansion: variables, $(seq), $((arithmetic)); anything else stays as a visible placeholder
# ---------------------------------------------------------------------------------------------


class _Expander:
    def __init__(self) -> None:
        self.variables: dict[str, str] = {}
        self.unresolved: set[str] = set()
        self.work = 0

    def charge(self, chars: int) -> None:
        self.work += chars
        if self.work > MAX_WORK:
            raise BenchmarkFileError("the script asks for too much expansion to be a slime launch script")

    def closing(self, text: str, start: int, opening: str, closing: str) -> int:
        end = _closing(text, start, opening, closing)
        self.charge((end if end >= 0 else len(text)) - start)
        return end

    def expand(self, text: str) -> str:
        self.charge(len(text))
        out: list[str] = []
        i = 0
        while i < len(text):
            if text.startswith("$((", i):
                end = self.closing(text, i + 1, "(", ")")
                if end < 0:
                    break
                out.append(self._arithmetic(text[i + 3:end - 1], text[i:end + 1]))
                i = end + 1
            elif text.startswith("$(", i):
                end = self.closing(text, i + 1, "(", ")")
                if end < 0:
                    break
                out.append(self._command(text[i + 2:end]))
                i = end + 1
            elif text.startswith("${", i):
                end = self.closing(text, i + 1, "{", "}")
                if end < 0:
                    break
                out.append(self._braced(text[i + 2:end], text[i:end + 1]))
                i = end + 1
            elif text[i] == "$" and (m := re.match(r"[A-Za-z_]\w*", text[i + 1:])):
                value = self.variables.get(m.group())
                if value is None:
                    self.unresolved.add("$" + m.group())
                out.append(value if value is not None else "${" + m.group() + "}")
                i += 1 + m.end()
            else:
                out.append(text[i])
                i += 1
        out.append(text[i:])
        return "".join(out)

    def _braced(self, inner: str, raw: str) -> str:
        if inner.endswith("[@]") or inner.endswith("[*]"):
            return raw  # an array, spliced after word splitting
        m = re.fullmatch(r"([A-Za-z_]\w*)(?:(:?[-=])(.*))?", inner, re.S)
        if not m:
            self.unresolved.add(raw)
            return raw
        name, op, default = m.groups()
        value = self.variables.get(name)
        if op and (value is None or (op.startswith(":") and value == "")):
            value = self.expand(default)
            if op.endswith("="):
                self.variables[name] = value
        if value is None:
            self.unresolved.add(raw)
            return raw
        return value

    def _command(self, inner: str) -> str:
        words = inner.split()
        if words and words[0] == "seq":
            values = _seq(self.expand(" ".join(words[1:])).split())
            if values is not None:
                return " ".join(values)
        placeholder = "$(" + (words[0] if words else "") + ")"
        self.unresolved.add(placeholder)
        return placeholder

    def _arithmetic(self, expression: str, raw: str) -> str:
        text = re.sub(r"\$?\{?([A-Za-z_]\w*)\}?", lambda m: self.variables.get(m.group(1), m.group(0)),
                      self.expand(expression))
        value = _evaluate(text)
        if value is None:
            self.unresolved.add(raw)
            return raw
        return str(value)


def _seq(args: list[str]) -> list[str] | None:
    try:
        numbers = [int(a) for a in args]
    except ValueError:
        return None
    if len(numbers) == 1:
        first, step, last = 1, 1, numbers[0]
    elif len(numbers) == 2:
        first, step, last = numbers[0], 1, numbers[1]
    elif len(numbers) == 3:
        first, step, last = numbers
    else:
        return None
    if step == 0 or (last - first) // step + 1 > MAX_SEQ_VALUES:
        return None
    return [str(v) for v in range(first, last + (1 if step > 0 else -1), step)]


_INT_LIMIT = 2**63  # bash arithmetic is 64-bit


def _evaluate(text: str) -> int | None:
    """Bash integer arithmetic (+ - * / % ** << >> and parentheses) on literals; None if anything else."""
    if len(text) > 200:
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return None

    def value(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = value(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            a, b = value(node.left), value(node.right)
            op = node.op
            if isinstance(op, ast.Pow) and (b < 0 or b > 64):
                raise ValueError
            if isinstance(op, ast.LShift | ast.RShift) and not 0 <= b < 64:
                raise ValueError
            if isinstance(op, ast.Div | ast.FloorDiv | ast.Mod) and b == 0:
                raise ValueError
            result = {
                ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                ast.Div: lambda: int(a / b), ast.FloorDiv: lambda: a // b, ast.Mod: lambda: a % b,
                ast.Pow: lambda: a**b, ast.LShift: lambda: a << b, ast.RShift: lambda: a >> b,
            }.get(type(op))
            if result is None:
                raise ValueError
            out = result()
            if abs(out) >= _INT_LIMIT:
                raise ValueError
            return out
        raise ValueError

    try:
        return value(tree.body)
    except (ValueError, RecursionError, OverflowError):
        return None


# ---------------------------------------------------------------------------------------------
# Reading the script
# ---------------------------------------------------------------------------------------------

_ASSIGN = re.compile(r"([A-Za-z_]\w*)(\+?)=(.*)", re.S)
_LAUNCHER = re.compile(r"(?:^|[\s/])(train[\w.-]*\.py)(?=\s|$)")
_ARRAY_REF = re.compile(r"\$\{([A-Za-z_]\w*)\[[@*]\]\}")


def looks_like(text: str) -> bool:
    arrays = re.search(r"^\s*[A-Z_]+_ARGS\s*\+?=\s*\(", text, re.M) is not None
    launcher = _LAUNCHER.search(text) is not None and "--" in text
    return arrays or (launcher and ("--actor-num" in text or "--rollout-" in text))


def _words(text: str) -> list[str]:
    if len(text) > MAX_STATEMENT_CHARS:
        raise BenchmarkFileError(f"one statement is longer than {MAX_STATEMENT_CHARS // 1024} KB; "
                                 "it is not a slime launch script")
    try:
        return shlex.split(text, posix=True)
    except ValueError:  # an unbalanced quote: fall back to plain whitespace
        return text.split()


def _splice(words: list[str], arrays: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for word in words:
        m = _ARRAY_REF.fullmatch(word)
        out.extend(arrays.get(m.group(1), []) if m else [word])
    return out


def _is_assignment(value: str) -> bool:
    """NAME=value, NAME=( ... ) or NAME=$( ... ); not NAME=value command args (an environment prefix)."""
    if value.startswith("(") or value.startswith("$("):
        return True
    return len(_words(value)) <= 1


def _flags(tokens: list[str]) -> dict[str, list[str]]:
    """argparse's reading: each --flag starts a key, the following non-flag tokens are its values, last wins."""
    flags: dict[str, list[str]] = {}
    current: str | None = None
    for token in tokens:
        if token.startswith("--") and len(token.strip("-")) > 0:
            name, eq, value = token.lstrip("-").partition("=")
            current = name
            flags[name] = [value] if eq else []
        elif current is not None:
            flags[current].append(token)
    return flags


def _interpret(statements: list[str]) -> tuple[list[str], str | None]:
    """(the launcher's tokens with the arrays spliced in, the entry point), statement by statement."""
    expander = _Expander()
    arrays: dict[str, list[str]] = {}
    launcher: list[str] | None = None
    entry: str | None = None
    for statement in statements:
        words = statement.split(None, 1)
        while words and words[0] in _KEYWORDS and len(words) > 1:
            statement = words[1]
            words = statement.split(None, 1)
        m = _ASSIGN.fullmatch(statement)
        if m and _is_assignment(m.group(3)):
            name, append, value = m.groups()
            if value.startswith("("):
                end = expander.closing(value, 0, "(", ")")
                body = value[1:end] if end > 0 else value[1:]
                tokens = _splice(_words(expander.expand(body)), arrays)
                arrays[name] = (arrays.get(name, []) if append else []) + tokens
                if len(arrays[name]) > MAX_ARRAY_TOKENS:
                    raise BenchmarkFileError(f"the array {name} has more than {MAX_ARRAY_TOKENS:,} words; "
                                             "it is not a slime flag array")
            else:
                expanded = _words(expander.expand(value))
                known = len(expanded) <= 1 and not value.startswith("$(") and sum(map(len, expanded)) <= MAX_VALUE_CHARS
                if known:
                    expander.variables[name] = expanded[0] if expanded else ""
                else:
                    expander.variables.pop(name, None)  # a command's output: unknown without running it
            continue
        launch = _LAUNCHER.search(statement)
        if launch:
            entry = launch.group(1)
            launcher = _splice(_words(expander.expand(statement[launch.end():])), arrays)
    if launcher is None:  # no launcher: the arrays in the order they were written
        launcher = [token for tokens in arrays.values() for token in tokens]
    return launcher, entry


def _int(flags: dict[str, list[str]], name: str, default: int | None = None) -> int | None:
    values = flags.get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        return None


def _float(flags: dict[str, list[str]], name: str) -> float | None:
    values = flags.get(name)
    try:
        return float(values[0]) if values else None
    except ValueError:
        return None


def _gpus(flags: dict[str, list[str]], notes: list[str]) -> tuple[int | None, str]:
    nodes, per_node = _int(flags, "actor-num-nodes", 1), _int(flags, "actor-num-gpus-per-node", 8)
    if nodes is None or per_node is None:
        notes.append("the actor GPU count is not a number in the script (an environment variable?)")
        return None, "actor GPU count not set in the script"
    actor = nodes * per_node
    if "colocate" in flags:
        return actor, f"{count(nodes, 'node')} × {per_node} GPUs, training and rollout colocated"
    rollout = _int(flags, "rollout-num-gpus")
    if rollout is None:
        return None, f"{count(nodes, 'node')} × {per_node} actor GPUs; rollout GPUs not set in the script"
    return actor + rollout, f"{count(nodes, 'node')} × {per_node} actor GPUs + {rollout} rollout GPUs"


def read(name: str, data: bytes) -> SlimeScript:
    if len(data) > MAX_SCRIPT_BYTES:
        raise BenchmarkFileError(f"{name} is larger than a slime launch script can be "
                                 f"({MAX_SCRIPT_BYTES // 1024} KB)")
    text = decode_text(name, data).replace("\r\n", "\n")
    try:
        launcher, entry = _interpret(_statements(text))
    except BenchmarkFileError as e:
        raise BenchmarkFileError(f"{name}: {e}") from None
    except RecursionError:  # ${A:-${A:-...}} nested thousands deep
        raise BenchmarkFileError(f"{name} nests expansions too deeply to be a slime launch script") from None
    flags = _flags(launcher)
    notes: list[str] = []
    sizes = [_int(flags, f, 1) for f in ("tensor-model-parallel-size", "pipeline-model-parallel-size",
                                         "context-parallel-size", "expert-model-parallel-size")]
    rollout_batch = _int(flags, "rollout-batch-size")
    samples = _int(flags, "n-samples-per-prompt")
    if samples is None and "n-samples-per-prompt" not in flags:
        samples = 1
        notes.append("samples per prompt: slime's default 1")
    global_batch = _int(flags, "global-batch-size")
    steps = _int(flags, "num-steps-per-rollout")
    if global_batch is None and steps and rollout_batch and samples:
        global_batch = rollout_batch * samples // steps
        notes.append(f"global batch size = rollout batch x samples / {steps} steps per rollout")
    gpus, detail = _gpus(flags, notes)
    known = ("tensor-model-parallel-size", "max-tokens-per-gpu", "rollout-batch-size", "global-batch-size",
             "actor-num-gpus-per-node", "sglang-mem-fraction-static")
    if not any(f in flags for f in known):
        raise BenchmarkFileError(f"{name} looks like a shell script but sets none of slime's training flags "
                                 f"({', '.join('--' + f for f in known[:4])}, ...); expected a slime run-<model>.sh")
    for flag in (*known, "pipeline-model-parallel-size", "context-parallel-size", "expert-model-parallel-size",
                 "actor-num-nodes", "rollout-num-gpus", "n-samples-per-prompt", "num-steps-per-rollout"):
        shown = " ".join(flags.get(flag, []))
        if "$" in shown:
            notes.append(f"--{flag} is {shown}, known only when the script runs: left blank")
    return SlimeScript(
        sha256=hashlib.sha256(data).hexdigest(),
        parallelism="/".join(str(s) for s in sizes) if all(s is not None for s in sizes) else None,
        max_tokens_per_gpu=_int(flags, "max-tokens-per-gpu"),
        mem_fraction_static=_float(flags, "sglang-mem-fraction-static"),
        global_batch_size=str(global_batch) if global_batch is not None else None,
        rollout_batch_size=rollout_batch,
        samples_per_prompt=samples,
        gpus=gpus,
        gpus_detail=detail,
        entry_point=entry,
        flags=flags,
        notes=tuple(notes),
    )
