#!/usr/bin/env python3
"""Regenerates catalog.txt: the English catalog entries of the manager's job and unit messages,
taken from this machine's /usr/lib/systemd/catalog/systemd.catalog (systemd 252, LGPL-2.1-or-later),
with @SUPPORT_URL@ already substituted by Debian's packaging.

Usage: python3 sim/src/machine/base/catalog.py > sim/src/machine/base/catalog.txt
"""
IDS = {
    "7d4958e842da4a758f6c1cdc7b36dcc5", "39f53479d3a045ac8e11786248231fbf",
    "be02cf6855d2428ba40df7e9d022f03d", "de5b426a63be47a7b6ac3eaac82e2f6f",
    "9d1aaa27d60140bd96365438aad20286", "d34d037fff1847e6ae669a370e694725",
    "7b05ebc668384222baa8881179cfda54", "5eb03494b6584870a536b337290809b3",
    "ae8f7b866b0347b9af31fe1c80b127c0", "7ad2d189f7e94e70a38c781354912448",
    "0e4284a0caca4bfc81c0bb6786972673", "d9b373ed55a64feb8242e02dbe79a49c",
    "98e322203f7a4ed290d09fe03c09fe15",
}
out, keep = [], False
with open("/usr/lib/systemd/catalog/systemd.catalog") as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("-- "):
            keep = line[3:].split()[0] in IDS
        if keep:
            out.append(line)
print("\n".join(out))
