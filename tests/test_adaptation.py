"""Teaching a recognizer a new voice: rnnlib.adaptation, `digits adapt` and its bad inputs, and the widget's checks."""
import numpy as np
import pytest

from rnnlib import adaptation, audio, datasets, digits
from rnnlib.recognizer import Recognizer

TINY = digits.Recipe(hidden_sizes=(8, 8), epochs=1, speeds=(), test_speeds=(1.0,), room_share=0.0)


@pytest.fixture(scope="module")
def small_world(fsdd_dir, tmp_path_factory):
    """A tiny recognizer trained on five voices (few recordings), its validation set, and the sixth voice."""
    recordings = datasets.list_recordings(fsdd_dir)
    speaker = datasets.speakers(recordings)[-1]
    others, voice = datasets.speaker_split(recordings, speaker)
    others = [r for r in others if r.index % 5 == 0]                       # 1 in 5: a quick fit
    validation, fit = others[::10], [r for k, r in enumerate(others) if k % 10]
    recognizer, _ = digits.train_recognizer(fit, TINY, seed=0, progress=False, validation=validation)
    path = recognizer.save(tmp_path_factory.mktemp("model") / "tiny.npz")
    return recognizer, path, fit, validation, voice


def one_of_each(voice):
    return [next(r for r in voice if r.digit == d) for d in range(10)]


def test_adapting_leaves_the_original_alone_and_recalibrates_the_same_way(small_world):
    recognizer, _, fit, validation, voice = small_world
    before = [p.copy() for layer in recognizer.model.layers for p in layer.params.values()]
    takes = one_of_each(voice)
    adapted, seconds = adaptation.adapt(recognizer, [audio.load(r.path) for r in takes], [r.digit for r in takes],
                                        replay=adaptation.replay_sample(fit, per_digit=3), calibration=validation,
                                        epochs=1)
    after = [p for layer in recognizer.model.layers for p in layer.params.values()]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))          # the recognizer given is untouched
    assert not all(np.array_equal(a, b) for a, b in zip(
        before, [p for layer in adapted.model.layers for p in layer.params.values()]))
    assert adapted.novelty.flag_share == recognizer.novelty.flag_share == TINY.unsure_share
    assert sorted(adapted.novelty.calibrated_on) == sorted(r.path.name for r in validation)
    assert adapted.novelty.is_unsure(adapted.states_and_probabilities(
        [audio.load(r.path) for r in validation])[0]).mean() == pytest.approx(TINY.unsure_share, abs=1 / 20)
    assert seconds > 0 and adapted.pipeline == recognizer.pipeline


def test_replay_draws_every_digit_and_leaves_out_what_it_is_told(small_world):
    _, _, fit, validation, _ = small_world
    chosen = adaptation.replay_sample(fit, per_digit=2, exclude=[fit[0].path.name], seed=1)
    assert sorted(r.digit for r in chosen) == sorted(list(range(10)) * 2)
    assert fit[0] not in chosen and chosen == adaptation.replay_sample(fit, per_digit=2,
                                                                        exclude=[fit[0].path.name], seed=1)


def test_adapt_says_what_it_needs(small_world):
    recognizer, _, fit, validation, voice = small_world
    takes = [audio.load(r.path) for r in one_of_each(voice)]
    with pytest.raises(ValueError, match="one label per recording"):
        adaptation.adapt(recognizer, takes, [0, 1], replay=fit, calibration=validation)
    with pytest.raises(ValueError, match="too few"):
        adaptation.adapt(recognizer, takes, list(range(10)), replay=fit, calibration=validation[:5])
    bare = Recognizer(recognizer.model, recognizer.labels, recognizer.pipeline, scaler=recognizer.scaler)
    with pytest.raises(ValueError, match="no calibrated 'unsure' detector"):
        adaptation.adapt(bare, takes, list(range(10)), replay=fit, calibration=validation)


def test_the_command_line_refuses_bad_sets_and_writes_nothing(small_world, tmp_path, fsdd_dir, capsys):
    _, path, _, _, voice = small_world
    files = []
    for r in one_of_each(voice):
        files.append(audio.save(tmp_path / f"{r.digit}_me.wav", *audio.load(r.path)))
    out = tmp_path / "mine.npz"
    unnamed = audio.save(tmp_path / "me.wav", *audio.load(voice[0].path))
    silent = audio.save(tmp_path / "3_quiet.wav", np.zeros(4000, np.float32), 8000)
    for bad, message in [([*files[:9]], "no recording of 9"), ([*files, unnamed], "does not say which digit"),
                         ([*files[:3], silent, *files[4:]], "silent"),
                         ([*files[:9], tmp_path / "9_gone.wav"], "no such file")]:
        code = digits.main(["adapt", "--model", str(path), "--out", str(out), "--data", str(fsdd_dir), "--quiet",
                            *map(str, bad)])
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1, err
        assert not out.exists()


def test_the_command_line_adapts_and_predict_names_the_closest_digit(small_world, tmp_path, fsdd_dir, capsys):
    _, path, _, _, voice = small_world
    files = [audio.save(tmp_path / f"{r.digit}_me.wav", *audio.load(r.path)) for r in one_of_each(voice)]
    out = tmp_path / "mine.npz"
    assert digits.main(["adapt", "--model", str(path), "--out", str(out), "--data", str(fsdd_dir), "--quiet",
                        "--seed", "1", *map(str, files)]) == 0
    assert "adapted to 10 recordings" in capsys.readouterr().out
    adapted = Recognizer.load(out)
    assert adapted.extra["adapted_to"] == [f.name for f in files] and adapted.novelty.calibrated_on
    assert digits.main(["predict", "--model", str(out), str(files[0])]) == 0
    name, answer, probability, closest = capsys.readouterr().out.strip().split("\t")
    assert closest in digits.LABELS and answer in (closest, "?") and 0 < float(probability) <= 1


def test_a_take_that_is_silent_or_clipped_gets_a_sentence(small_world):
    from rnnlib.widgets import _take_problem

    recognizer = small_world[0]
    y = 0.3 * audio.sine(300, 0.5, 8000)
    assert _take_problem(recognizer, y, 8000) is None
    assert "silent" in _take_problem(recognizer, np.zeros(4000, np.float32), 8000)
    assert "too loud" in _take_problem(recognizer, np.clip(5 * y, -1, 1), 8000)         # peaks at 1.5: clipped


def test_the_widget_builds_and_waits_for_ten_takes(small_world):
    from rnnlib import widgets

    recognizer, _, fit, validation, _ = small_world
    box = widgets.teach_your_voice(recognizer, replay=fit, calibration=validation)

    def everything(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from everything(child)

    teach = next(w for w in everything(box) if getattr(w, "description", "") == "Teach it my voice")
    assert teach.disabled and box.adapted is None                       # no takes yet: nothing to teach


def test_a_learners_file_is_named_after_its_digit():
    assert digits.digit_in_name("recordings/7_take2.wav") == 7
    with pytest.raises(ValueError, match="name each file after its digit"):
        digits.digit_in_name("seven.wav")
