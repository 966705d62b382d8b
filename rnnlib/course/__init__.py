"""Course tooling: what instructors and maintainers run on the lessons (never imported by a lesson).

It works on a checkout of the course, where the lessons sit beside the package, with ``requirements.txt``
installed (it reads and runs notebooks with nbformat, nbclient and nbconvert: the ``course`` extra).

    python -m rnnlib.course student OUT_DIR   # the student edition: exercises as stubs, outputs cleared
    python -m rnnlib.course slides OUT_DIR    # instructors: a reveal.js deck per lesson, works offline
    python -m rnnlib.course site OUT_DIR      # publishers: a static site of the course (GitHub Pages)
    python -m rnnlib.course exercises         # each lesson's exercises and their lines of logic
    python -m rnnlib.course execute [NB ...]  # maintainers: re-run lessons in place, as they are committed
    python -m rnnlib.course tidy [NB ...]     # maintainers: apply the metadata conventions below, no run
    python -m rnnlib.course fit-slides [NB]   # maintainers: sub-slide breaks measured to fit 1280x720

Conventions every lesson follows (``tidy`` applies them, tests check them):

* an exercise's reference solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines in a
  code cell: nbgrader's solution cell, its source collapsed in the course edition, skipped on slides;
* the cell that checks it calls ``check.<name>(...)`` and nothing else: nbgrader's autograded test cell;
* every ``#``/``##`` heading starts a slide and every ``###`` a sub-slide; the set-up cell is skipped on slides;
* a cell whose output is a widget is left to the browser tests (nbval cannot see inside widgets): the only
  cells tagged ``nbval-ignore-output``. Every other output is compared, with unstable parts sanitized.
"""
