"""The demonstration city's generator: a seeded, deterministic year of case actions (no I/O)."""

from wenzheng.demogen.stream import (
    DemoSpec,
    YearNotCovered,
    case_number,
    demo_as_of,
    generate,
    stories,
)

__all__ = ["DemoSpec", "YearNotCovered", "case_number", "demo_as_of", "generate", "stories"]
