"""Course tooling: what instructors and maintainers run on the lessons (never imported by a lesson).

    python -m rnnlib.course student OUT_DIR   # the student edition: exercises as stubs, outputs cleared
    python -m rnnlib.course execute [NB ...]  # maintainers: re-run lessons in place, as they are committed
    python -m rnnlib.course tidy [NB ...]     # maintainers: apply the metadata conventions below, no run

Conventions every lesson follows (``tidy`` applies them, tests check them):

* an exercise's reference solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines in a
  code cell: nbgrader's solution cell, its source collapsed in the course edition, skipped on slides;
* the cell that checks it calls ``check.<name>(...)`` and nothing else: nbgrader's autograded test cell;
* every ``#``/``##`` heading starts a slide and every ``###`` a sub-slide; the set-up cell is skipped on slides;
* a cell whose output is a widget is left to the browser tests (nbval cannot see inside widgets): the only
  cells tagged ``nbval-ignore-output``. Every other output is compared, with unstable parts sanitized.
"""
