#!/usr/bin/env python3
"""Writes glob-cases.tsv: (pattern, name, fnmatch.fnmatchcase(name, pattern)) for GlobTest.

Patterns and names are escaped with \\t, \\n and \\\\ so the TSV stays one case per line.
"""
import fnmatch
import itertools
from pathlib import Path

patterns = [
    "*", "?", "a*", "*.weight", "layer.*.bias", "*a*b*", "a?c", "[abc]", "[!abc]", "[^a]", "[a-c]x",
    "[z-a]", "[!z-a]", "[a-]", "[-a]", "[]]", "[!]]", "[]a]", "[a", "a]", "[!", "[", "[a-c-e]", "[a-b-c]",
    "[\\]", "\\*", "a\\b", "[&&]", "[a&&b]", "[~~]", "[||]", "**", "*?*", "?*?", "[*]", "[?]", "[[]",
    "[.]", ".", "a.b", "*[0-9]", "*[!0-9]", "[0-9][0-9]", "module.*", "*.running_*", "[é-ü]", "é*",
    "😀?", "?😀", "[😀]", "*\n*", "a*a*a*a*a*b",
]
names = [
    "", "a", "b", "c", "x", "ax", "bx", "dx", "abc", "a.b", "a.weight", "layer.0.bias", "layer..bias",
    "aXb", "ab", "ba", "]", "!", "^", "-", "[", "[a", "a]", "\\", "a\\b", "*", "?", "&", "~", "|", "z",
    ".", "a.b.c", "12", "1", "x9", "xa", "module.fc.weight", "bn.running_mean", "é", "ü", "éa", "😀",
    "😀x", "x😀", "a\nb", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaac", "aaaaab", "e",
]


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


lines = ["pattern\tname\tmatches"]
for p, n in itertools.product(patterns, names):
    lines.append(f"{esc(p)}\t{esc(n)}\t{str(fnmatch.fnmatchcase(n, p)).lower()}")
Path(__file__).with_name("glob-cases.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
