#!/usr/bin/env python3
"""Lists every public declaration of racelab's library targets with the first line
of its doc comment, as docs/library.md shows them. Run from anywhere:

    scripts/public-api.py            # the markdown table
    scripts/public-api.py --count    # how many
    scripts/public-api.py --check docs/library.md   # exit 1 unless the page has the table

A declaration without a doc comment is listed with "(undocumented)" and makes the
script exit 1, so a new public symbol cannot go in without one line that teaches."""
import glob, os, re, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources")
rows, undocumented = [], 0
for path in sorted(glob.glob(os.path.join(root, "*", "**", "*.swift"), recursive=True)):
    lines = open(path).read().split("\n")
    scope = []  # (indent, type name)
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        while scope and indent <= scope[-1][0] and line.strip() and not line.strip().startswith("//"):
            if line.strip().startswith("}") and indent == scope[-1][0]:
                scope.pop()
                break
            if indent < scope[-1][0]:
                scope.pop()
            else:
                break
        m = re.match(r"^\s*(?:@\S+\s+)*public\s+(?:\w+\(set\)\s+)?(?:final\s+|static\s+|mutating\s+|indirect\s+)*"
                     r"(struct|enum|class|protocol|actor|func|var|let|init\??|subscript|typealias)\b\s*([A-Za-z_]\w*)?", line)
        tm = re.match(r"^\s*(?:@\S+\s+)*(?:public|package)?\s*(?:final\s+|indirect\s+)*(?:struct|enum|class|actor|protocol|extension)\s+(\w+)", line)
        if m:
            kind, name = m.group(1), m.group(2) or ""
            j = i - 1
            while j >= 0 and lines[j].strip().startswith("@"):
                j -= 1
            doc = []
            while j >= 0 and lines[j].strip().startswith("///"):
                doc.insert(0, lines[j].strip()[3:].strip())
                j -= 1
            first = ""
            for d in doc:
                if not d:
                    break
                first += (" " if first else "") + d
                if first.endswith(".") or first.endswith(":"):
                    break
            if not doc:
                undocumented += 1
                first = "(undocumented)"
            owner = ".".join(n for _, n in scope)
            label = {"init": "init", "init?": "init?"}.get(kind, name)
            sig = line.strip()
            sig = re.sub(r"\s*\{.*$", "", sig)
            rows.append((os.path.relpath(path, root).split(os.sep)[0], owner, kind, label, sig, first))
        if tm and line.rstrip().endswith("{"):
            scope.append((indent, tm.group(1)))
table = ["| declaration | what it is for |", "|---|---|"]
for target, owner, kind, label, sig, first in rows:
    where = f"{owner}." if owner and kind not in ("struct", "enum", "class", "protocol", "actor") else ""
    shown = f"`{where}{label}`" if kind not in ("struct", "enum", "class", "protocol", "actor") else f"**`{label}`** ({kind})"
    table.append(f"| {shown} | {first.replace('|', '/')} |")
if "--count" in sys.argv:
    print(len(rows))
elif "--check" in sys.argv:
    page = open(sys.argv[sys.argv.index("--check") + 1]).read()
    if "\n".join(table) not in page:
        print("public-api: the page's table is not the public surface; paste `scripts/public-api.py` into it",
              file=sys.stderr)
        sys.exit(1)
    print(f"public-api: {len(rows)} public declarations, each documented and listed")
else:
    print("\n".join(table))
if undocumented:
    print(f"public-api: {undocumented} public declaration(s) without a doc comment", file=sys.stderr)
sys.exit(1 if undocumented else 0)
