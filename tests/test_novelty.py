"""Knowing when it is unsure: the Mahalanobis novelty detector, and how the recognizer and its CLI use it."""
from dataclasses import replace

import numpy as np
import pytest

from rnnlib import audio, digits, features, inference, models
from rnnlib.novelty import NoveltyDetector
from rnnlib.recognizer import Recognizer


def clouds(n_per_class=200, seed=0):
    """Three classes of 2-D states around (0, 0), (10, 0), (0, 10), stretched along x: (N, 2) and labels."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    labels = np.repeat(np.arange(3), n_per_class)
    return centres[labels] + rng.standard_normal((len(labels), 2)) * [3.0, 0.5], labels


def test_scores_are_squared_mahalanobis_distances_to_the_nearest_class():
    z, y = clouds()
    detector = NoveltyDetector.fit(z, y, 3, ridge=0.0)
    means = np.stack([z[y == c].mean(0) for c in range(3)])
    cov = np.cov((z - means[y]).T, bias=True)
    point = np.array([[1.0, 9.0]])
    expected = min(float((point[0] - m) @ np.linalg.inv(cov) @ (point[0] - m)) for m in means)
    np.testing.assert_allclose(detector.score(point), [expected], rtol=1e-10)
    # The same Euclidean step counts less along the direction the classes vary most.
    along, across = detector.score(np.array([[3.0, 0.0], [0.0, 3.0]]))
    assert along < across


def test_calibration_flags_the_chosen_share_of_held_out_states_and_far_points():
    z, y = clouds(seed=0)
    held_out, _ = clouds(seed=1)
    detector = NoveltyDetector.fit(z, y, 3)
    detector.calibrate(held_out, flag_share=0.05)
    assert abs(detector.is_unsure(held_out).mean() - 0.05) < 0.01
    assert detector.is_unsure(np.array([[30.0, 30.0], [-20.0, -8.0]])).all()
    assert not NoveltyDetector.fit(z, y, 3).is_unsure(np.array([[1e6, 1e6]])).any()   # uncalibrated: never


def test_round_trip_and_clear_errors():
    z, y = clouds()
    detector = NoveltyDetector.fit(z, y, 3)
    detector.calibrate(z)
    again = NoveltyDetector.from_dict(detector.to_dict())
    np.testing.assert_array_equal(again.score(z), detector.score(z))
    assert again.threshold == detector.threshold and not again.all_layers
    layered = NoveltyDetector.fit(z, y, 3, all_layers=True)
    assert NoveltyDetector.from_dict(layered.to_dict()).all_layers
    old = {k: v for k, v in layered.to_dict().items() if k != "all_layers"}   # saved before all_layers existed
    assert not NoveltyDetector.from_dict(old).all_layers
    with pytest.raises(ValueError, match="class"):
        NoveltyDetector.fit(z, y, 4)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        detector.score(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="too few"):
        detector.calibrate(z[:5])
    with pytest.raises(ValueError, match="flag_share"):
        detector.calibrate(z, flag_share=1.5)


@pytest.fixture()
def unsure_recognizer(tmp_path):
    """A tiny recognizer whose detector calls everything unsure (threshold below any score)."""
    model = models.SequenceClassifier.build("lstm", 60, [8, 8], 10, pooling="mean", seed=0)
    detector = NoveltyDetector(np.full((10, 8), 5.0), np.eye(8), threshold=1.0)
    return Recognizer(model, digits.LABELS, scaler=features.Standardizer(np.zeros(60), np.ones(60)), novelty=detector)


def test_an_unsure_prediction_answers_question_mark_and_survives_saving(unsure_recognizer, tmp_path, capsys):
    wav = audio.save(tmp_path / "tone.wav", 0.3 * audio.sine(440, 0.5, 8000), 8000)
    result = unsure_recognizer.predict_files([wav])[0]
    assert result.unsure and result.answer == "?" and result.label in digits.LABELS and result.novelty > 1.0
    path = unsure_recognizer.save(tmp_path / "unsure.npz")
    assert Recognizer.load(path).novelty.threshold == 1.0
    assert digits.main(["predict", "--model", str(path), str(wav)]) == 0
    _, answer, _, closest = capsys.readouterr().out.strip().split("\t")
    assert answer == "?" and closest == result.label                 # unsure, and still says which digit is closest


def test_predict_recording_takes_a_waveform_and_refuses_silence(unsure_recognizer):
    assert unsure_recognizer.predict_recording(0.3 * audio.sine(440, 0.5, 48000), 48000, "mic").answer == "?"
    silent = unsure_recognizer.predict_recording(np.zeros(8000, np.float32), 8000, "mic")
    assert silent.error is not None and "silent" in silent.error and silent.answer is None
    with pytest.raises(ValueError, match="1-D"):
        unsure_recognizer.predict_recording(np.zeros((2, 100)), 8000)


def test_states_and_probabilities_match_predict_sequences():
    model = models.SequenceClassifier.build("gru", 4, [5], 3, pooling="mean", seed=0)
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((t, 4)).astype(np.float32) for t in (3, 7, 5)]
    states, probs = inference.states_and_probabilities(model, seqs)
    np.testing.assert_allclose(probs, inference.predict_sequences(model, seqs), rtol=1e-6)
    x, mask = features.pad_sequences(seqs[1:2])
    np.testing.assert_allclose(states[1], model.embed(x, mask)[0], rtol=1e-6)


@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_every_layers_states_sit_side_by_side_the_top_layers_last(pooling):
    model = models.SequenceClassifier.build("lstm", 4, [6, 5], 3, pooling=pooling, seed=0)
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((t, 4)).astype(np.float32) for t in (3, 7, 5)]
    top, probs = inference.states_and_probabilities(model, seqs)
    both, probs_again = inference.states_and_probabilities(model, seqs, all_layers=True)
    assert both.shape == (3, 11)
    np.testing.assert_array_equal(both[:, 6:], top)                 # the top layer's pooled state, unchanged
    np.testing.assert_array_equal(probs_again, probs)
    x, mask = features.pad_sequences(seqs[:1])                      # the first layer, pooled by hand
    h = model.recurrent[0].forward(x, mask=mask)[0]
    np.testing.assert_allclose(both[0, :6], h.mean(axis=0) if pooling == "mean" else h[-1], rtol=1e-5)


def test_train_recognizer_learns_when_to_be_unsure(fsdd_dir):
    """With 20+ validation recordings, training calibrates a detector that flags about the chosen share of them."""
    from rnnlib import datasets

    recordings = [r for r in datasets.list_recordings(fsdd_dir) if r.index >= 5 and r.index < 30]
    recipe = digits.Recipe(hidden_sizes=(16,), epochs=1, speeds=(1.1,), test_speeds=(1.0, 1.1), members=2,
                           room_share=0.5, loudness_db=-20.0, validation_fraction=0.25, unsure_share=0.1,
                           novelty_all_layers=False)
    validation, training = recordings[:40], recordings[40:]
    rec, history = digits.train_recognizer(training, recipe, seed=0, progress=False, validation=validation)
    assert history["n_validation"] == 40 and rec.novelty is not None and np.isfinite(rec.novelty.threshold)
    assert len(history["members"]) == recipe.members == 2           # a committee of two models: 2 × 16 states
    assert rec.novelty.means.shape[1] == 32
    result = digits.evaluate(rec, validation)                         # calibrated to flag 10% of these: 4 of 40
    assert result["unsure"].shape == (40,) and abs(result["unsure_share"] - recipe.unsure_share) <= 1 / 40
    # every layer's states: 16 + 8 for each of two members, and the recognizer hands the detector the same kind
    layered = replace(recipe, hidden_sizes=(16, 8), members=2, novelty_all_layers=True)
    rec, _ = digits.train_recognizer(recordings, layered, seed=0, progress=False)
    assert rec.novelty.all_layers and rec.novelty.means.shape[1] == 2 * (16 + 8)
    assert digits.evaluate(rec, recordings[:20])["unsure"].shape == (20,)
