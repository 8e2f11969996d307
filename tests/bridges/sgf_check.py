"""A strict little SGF reader, enough to check that an export is well-formed SGF (FF[4])."""

from __future__ import annotations

import re

PROPERTY = re.compile(r"\s*([A-Z]{1,2})\s*")
Node = dict[str, list[str]]


def parse_sgf(text: str) -> list[list[Node]]:
    """The collection's game trees, each a main line of nodes; raises ValueError if malformed."""
    trees: list[list[Node]] = []
    i = 0

    def skip() -> None:
        nonlocal i
        while i < len(text) and text[i].isspace():
            i += 1

    def value() -> str:
        nonlocal i
        assert text[i] == "["
        i += 1
        out = []
        while True:
            if i >= len(text):
                raise ValueError("unterminated property value")
            ch = text[i]
            if ch == "\\":
                out.append(text[i + 1])
                i += 2
                continue
            i += 1
            if ch == "]":
                return "".join(out)
            out.append(ch)

    skip()
    while i < len(text):
        if text[i] != "(":
            raise ValueError(f"expected '(' at {i}")
        i += 1
        nodes: list[Node] = []
        skip()
        while i < len(text) and text[i] == ";":
            i += 1
            node: Node = {}
            while True:
                match = PROPERTY.match(text, i)
                if not match or match.end() >= len(text) or text[match.end()] != "[":
                    break
                i = match.end()
                values = []
                while i < len(text) and text[i] == "[":
                    values.append(value())
                    skip()
                if match.group(1) in node:
                    raise ValueError(f"property {match.group(1)} twice in a node")
                node[match.group(1)] = values
            nodes.append(node)
            skip()
        if i >= len(text) or text[i] != ")" or not nodes:
            raise ValueError(f"expected ')' after the nodes at {i}")
        i += 1
        trees.append(nodes)
        skip()
    if not trees or trees[0][0].get("GM") != ["1"]:
        raise ValueError("not a Go collection")
    return trees
