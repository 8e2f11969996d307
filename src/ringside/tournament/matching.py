"""Maximum-cardinality matching in a general graph (Edmonds' blossom algorithm).

The Swiss pairer needs one exact answer: how many not-yet-played pairings can
still be made among some players at once. Players do not split into two
sides, so a bipartite matching will not do, and trying pairings by
backtracking is exponential exactly when no repeat-free pairing exists.
Edmonds' algorithm answers in O(V³), a few milliseconds for a hundred bots.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class _Blossom:
    """One run of the algorithm on vertices 0..n-1; ``match[v]`` is v's partner or -1."""

    def __init__(self, n: int, adjacency: Sequence[Sequence[int]]) -> None:
        self.n = n
        self.adj = adjacency
        self.match = [-1] * n
        self.parent = [-1] * n
        self.base = list(range(n))
        self.used = [False] * n
        self.in_blossom = [False] * n
        self.queue: list[int] = []

    def solve(self) -> list[int]:
        for root in range(self.n):
            if self.match[root] != -1:
                continue
            end = self._augmenting_path(root)
            while end != -1:  # flip the path's edges in and out of the matching
                previous = self.parent[end]
                after = self.match[previous]
                self.match[end] = previous
                self.match[previous] = end
                end = after
        return self.match

    def _lowest_common_base(self, a: int, b: int) -> int:
        seen = [False] * self.n
        while True:
            a = self.base[a]
            seen[a] = True
            if self.match[a] == -1:
                break
            a = self.parent[self.match[a]]
        while True:
            b = self.base[b]
            if seen[b]:
                return b
            b = self.parent[self.match[b]]

    def _mark_path(self, v: int, base: int, child: int) -> None:
        while self.base[v] != base:
            self.in_blossom[self.base[v]] = True
            self.in_blossom[self.base[self.match[v]]] = True
            self.parent[v] = child
            child = self.match[v]
            v = self.parent[self.match[v]]

    def _augmenting_path(self, root: int) -> int:
        """Grow an alternating tree from ``root``; the free vertex it reaches, or -1."""
        n = self.n
        self.used = [False] * n
        self.parent = [-1] * n
        self.base = list(range(n))
        self.used[root] = True
        self.queue = [root]
        head = 0
        while head < len(self.queue):
            v = self.queue[head]
            head += 1
            for to in self.adj[v]:
                if self.base[v] == self.base[to] or self.match[v] == to:
                    continue
                if to == root or (self.match[to] != -1 and self.parent[self.match[to]] != -1):
                    # An odd cycle: contract it into its base and keep searching.
                    base = self._lowest_common_base(v, to)
                    self.in_blossom = [False] * n
                    self._mark_path(v, base, to)
                    self._mark_path(to, base, v)
                    for i in range(n):
                        if self.in_blossom[self.base[i]]:
                            self.base[i] = base
                            if not self.used[i]:
                                self.used[i] = True
                                self.queue.append(i)
                elif self.parent[to] == -1:
                    self.parent[to] = v
                    if self.match[to] == -1:
                        return to
                    self.used[self.match[to]] = True
                    self.queue.append(self.match[to])
        return -1


def maximum_matching(n: int, edges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """A maximum set of disjoint edges of the graph on vertices ``0..n-1``."""
    adjacency: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        if a == b:
            continue
        adjacency[a].append(b)
        adjacency[b].append(a)
    match = _Blossom(n, adjacency).solve()
    return [(v, w) for v, w in enumerate(match) if w > v]


def matching_size(vertices: Sequence[str], allowed: set[frozenset[str]]) -> int:
    """How many disjoint pairs of ``vertices`` can be formed from the ``allowed`` pairs."""
    index = {name: i for i, name in enumerate(vertices)}
    edges = [
        (index[a], index[b])
        for i, a in enumerate(vertices)
        for b in vertices[i + 1 :]
        if frozenset((a, b)) in allowed
    ]
    return len(maximum_matching(len(vertices), edges))
