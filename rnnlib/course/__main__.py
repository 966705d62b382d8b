"""Command line of the course tooling: ``python -m rnnlib.course --help``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import notebooks


def _targets(names) -> list[Path]:
    return [Path(n) for n in names] if names else notebooks.lessons()


def _cmd_student(args) -> int:
    from .student import write_student_edition

    written = write_student_edition(Path(args.out_dir), _targets(args.notebooks))
    for path, n in written:
        print(f"{path}: {n} exercise(s) left for the student")
    return 0


def _cmd_slides(args) -> int:
    from .publish import build_slides

    for path in build_slides(Path(args.out_dir), _targets(args.notebooks)):
        print(path)
    return 0


def _cmd_site(args) -> int:
    from .publish import build_site

    written = build_site(Path(args.out_dir), _targets(args.notebooks))
    print(f"{written[0]} and {len(written) - 1} lesson page(s)")
    return 0


def _cmd_execute(args) -> int:
    from .execute import execute

    for path in _targets(args.notebooks):
        print(f"  {path.name}: {execute(path):.0f} s", flush=True)
    return 0


def _cmd_fit_slides(args) -> int:
    from .slidefit import fit_lesson

    status = 0
    for path in _targets(args.notebooks):
        for index, px in fit_lesson(path):
            status = 1
            print(f"{path.name}: cell {index} is {px} px tall on its own, taller than a 720 px slide: split it "
                  "or make its figure smaller", file=sys.stderr)
    return status


def _cmd_exercises(args) -> int:
    for path in _targets(args.notebooks):
        nb = notebooks.read(path)
        print(f"{path.name}:")
        for (name, n), (_, hints) in zip(notebooks.exercise_sizes(nb), notebooks.exercise_hints(nb)):
            print(f"  {name} ({n} lines of logic); hints: {' → '.join(hints) if hints else 'none'}")
    return 0


def _cmd_tidy(args) -> int:
    for path in _targets(args.notebooks):
        notebooks.write(notebooks.tidy(notebooks.read(path)), path)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnlib.course", description="Course tooling: student "
                                     "edition, execution and metadata of the lessons.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("student", help="write the student edition (exercise stubs, exercise outputs cleared)")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("notebooks", nargs="*", help="lessons to convert (default: every lesson in notebooks/)")
    p.set_defaults(run=_cmd_student)
    p = sub.add_parser("slides", help="one reveal.js deck per lesson, working offline")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("notebooks", nargs="*", help="default: every lesson")
    p.set_defaults(run=_cmd_slides)
    p = sub.add_parser("site", help="a static site: an index of the lessons and a page for each")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("notebooks", nargs="*", help="default: every lesson")
    p.set_defaults(run=_cmd_site)
    p = sub.add_parser("execute", help="maintainers: run lessons in place and store their outputs")
    p.add_argument("notebooks", nargs="*", help="default: every lesson")
    p.set_defaults(run=_cmd_execute)
    p = sub.add_parser("fit-slides", help="maintainers: measure the slides in Chromium and add sub-slide breaks "
                       "so each fits 1280x720")
    p.add_argument("notebooks", nargs="*", help="default: every lesson")
    p.set_defaults(run=_cmd_fit_slides)
    p = sub.add_parser("exercises", help="list each lesson's exercises and their lines of logic")
    p.add_argument("notebooks", nargs="*", help="default: every lesson")
    p.set_defaults(run=_cmd_exercises)
    p = sub.add_parser("tidy", help="maintainers: apply the slide and nbgrader metadata conventions")
    p.add_argument("notebooks", nargs="*", help="default: every lesson")
    p.set_defaults(run=_cmd_tidy)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
