"""`python -m bench.step NAME PARAMS_JSON`: one measurement in its own process.

The step writes its result as JSON to `result_path` (from the parameters); on failure it
writes {"error": …} and exits 1, so the harness reports it and goes on with the rest.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

Step = Callable[[dict[str, Any]], dict[str, Any]]


def steps() -> dict[str, Step]:
    """Every step by name (imported lazily so a step pays only for what it uses)."""
    from bench import e2e, kafka_steps, read, write

    return {
        "apply": write.apply, "raw_save": write.raw_save,
        "rebuild": read.rebuild, "raw_read": read.raw_read, "queries": read.queries,
        "relay": kafka_steps.relay, "raw_produce": kafka_steps.raw_produce,
        "projector": kafka_steps.projector, "raw_consume": kafka_steps.raw_consume,
        "e2e": e2e.run,
    }


def main(argv: list[str]) -> int:
    """Run the named step and write its result."""
    name, params = argv[0], json.loads(argv[1])
    out = Path(params["result_path"])
    try:
        result = steps()[name](params)
    except BaseException as exc:
        traceback.print_exc()
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        out.write_text(json.dumps({"error": detail[-2000:]}, ensure_ascii=False),
                       encoding="utf-8")
        return 1
    out.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
