"""What every exercise check shares: it refuses an answer that calls the rnnlib function doing the exercise."""
import importlib

import pytest

from rnnlib.checks import ExerciseError

CHECKS = [(f"lesson{n:02d}", name) for n in range(1, 11)
          for name, check in vars(importlib.import_module(f"rnnlib.checks.lesson{n:02d}")).items()
          if getattr(check, "not_by", ())]


def test_most_exercises_name_what_would_do_them():
    assert len(CHECKS) >= 20


@pytest.mark.parametrize("lesson, name", CHECKS, ids=[f"{l}.{n}" for l, n in CHECKS])
def test_an_answer_that_calls_rnnlibs_own_function_is_refused_with_a_sentence(lesson, name):
    check = getattr(importlib.import_module(f"rnnlib.checks.{lesson}"), name)
    for dotted in check.not_by:
        module, _, attr = dotted.rpartition(".")
        namespace = {"lib": importlib.import_module(module)}
        exec(f"def {name}(*args, **kwargs):\n    return lib.{attr}(*args, **kwargs)\n", namespace)
        n_answers = check.__wrapped__.__code__.co_argcount      # most checks take one function, a few two
        with pytest.raises(ExerciseError, match=f"calls {dotted}, which does what this exercise asks"):
            check(*[namespace[name]] * n_answers)
