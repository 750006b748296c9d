# SPDX-License-Identifier: BSD-2-Clause
"""A flattened device tree read into nested tuples, for the ci/ scripts that must not depend on
pylibfdt (ci/dtbo-uboot runs at build time)."""
import struct

FDT_MAGIC = 0xd00dfeed
BEGIN_NODE, END_NODE, PROP, NOP, END = 1, 2, 3, 4, 9


class Refused(Exception):
    """The blob is not a tree this reader can take; the message says why."""


def parse(blob):
    """Return the tree as (name, [(prop, value)], [children]) from a flattened tree."""
    if len(blob) < 40:
        raise Refused('shorter than an FDT header')
    magic, total, off_struct, off_strings = struct.unpack_from('>4I', blob, 0)
    if magic != FDT_MAGIC:
        raise Refused('not a flattened device tree (magic 0x%08x)' % magic)
    if total > len(blob):
        raise Refused('totalsize %d exceeds the file (%d bytes)' % (total, len(blob)))

    def string_at(off):
        end = blob.index(b'\0', off)
        return blob[off:end].decode()

    pos = off_struct
    stack = []
    root = None
    while True:
        (tag,) = struct.unpack_from('>I', blob, pos)
        pos += 4
        if tag == BEGIN_NODE:
            end = blob.index(b'\0', pos)
            node = (blob[pos:end].decode(), [], [])
            pos = (end + 4) & ~3
            if stack:
                stack[-1][2].append(node)
            else:
                root = node
            stack.append(node)
        elif tag == END_NODE:
            stack.pop()
        elif tag == PROP:
            length, nameoff = struct.unpack_from('>2I', blob, pos)
            pos += 8
            stack[-1][1].append((string_at(off_strings + nameoff), blob[pos:pos + length]))
            pos = (pos + length + 3) & ~3
        elif tag == NOP:
            continue
        elif tag == END:
            return root
        else:
            raise Refused('bad structure tag %d at offset %d' % (tag, pos - 4))


