"""Sets of small integers as Python ints: AND/OR of 100k-member sets in microseconds, counts by ``bit_count``.

The catalogue numbers each collection's members in IRI order and keeps, per filter value, the set of members
having it as a bitset; a filtered listing is then a few big-int operations, and its members come out in IRI order.

>>> mask = from_positions([0, 3, 64, 65], 70)
>>> to_positions(mask)
[0, 3, 64, 65]
>>> contains(as_bytes(mask, 70), 64), contains(as_bytes(mask, 70), 63)
(True, False)
>>> full(70).bit_count()
70
"""

from __future__ import annotations

from collections.abc import Iterable

_FULL_WORD = (1 << 64) - 1


def from_positions(positions: Iterable[int], size: int) -> int:
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def full(size: int) -> int:
    return (1 << size) - 1


def as_bytes(mask: int, size: int) -> bytes:
    """Little-endian bytes of the mask, for fast membership tests with :func:`contains`."""
    return mask.to_bytes((size + 7) // 8 or 1, "little")


def contains(data: bytes, position: int) -> bool:
    index = position >> 3
    return index < len(data) and bool(data[index] >> (position & 7) & 1)


def to_positions(mask: int) -> list[int]:
    """The set members in increasing order."""
    if not mask:
        return []
    words = (mask.bit_length() + 63) // 64
    data = memoryview(mask.to_bytes(words * 8, "little")).cast("Q")
    out: list[int] = []
    for index, word in enumerate(data):
        if not word:
            continue
        base = index * 64
        if word == _FULL_WORD:
            out.extend(range(base, base + 64))
            continue
        while word:
            low = word & -word
            out.append(base + low.bit_length() - 1)
            word ^= low
    return out


def union(masks: Iterable[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result
