"""Record the golden outputs: ``python -m tests.golden.record`` (only when a figure is meant to change)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tests import golden


class _Capture:
    """The two calls of pytest's ``capsys`` that ``golden.run`` uses, for running outside pytest."""

    def __init__(self):
        import io

        self._out, self._err = io.StringIO(), io.StringIO()
        self._saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self._out, self._err

    def readouterr(self):
        out, err = self._out.getvalue(), self._err.getvalue()
        self._out.seek(0), self._out.truncate(), self._err.seek(0), self._err.truncate()
        return out, err

    def close(self):
        sys.stdout, sys.stderr = self._saved


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        capture = _Capture()
        try:
            outputs = golden.run(f"sqlite:///{Path(tmp) / 'golden.db'}", capture)
        finally:
            capture.close()
    for name, value in outputs.items():
        golden.path(name).write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"recorded {len(outputs)} outputs in {golden.HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
