"""The recognizer's file format and the command line, including every kind of bad input."""
import json

import numpy as np
import pytest
import soundfile as sf

from rnnlib import audio, digits, features, inference, models
from rnnlib.recognizer import Recognizer


@pytest.fixture()
def recognizer_file(tmp_path):
    model = models.SequenceClassifier.build("lstm", 60, [8, 8], 10, pooling="mean", seed=0)
    scaler = features.Standardizer(np.zeros(60), np.ones(60))
    return Recognizer(model, digits.LABELS, scaler=scaler).save(tmp_path / "digits.npz")


@pytest.fixture()
def tone_wav(tmp_path):
    y = 0.3 * audio.chirp(300, 1200, 0.5, 8000)
    return audio.save(tmp_path / "tone.wav", y, 8000)


def test_save_load_round_trip_gives_identical_predictions(recognizer_file, tone_wav):
    a = Recognizer.load(recognizer_file)
    b = Recognizer.load(recognizer_file)
    pa, pb = a.predict_files([tone_wav]), b.predict_files([tone_wav])
    np.testing.assert_array_equal(pa[0].probabilities, pb[0].probabilities)
    with np.load(recognizer_file, allow_pickle=False) as data:  # plain arrays and JSON: no pickle
        config = json.loads(str(data["config"]))
    assert config["metadata"]["recognizer"]["pipeline"]["feature_config"]["n_mfcc"] == 20


def test_round_trip_of_a_trained_model_preserves_every_weight(tmp_path):
    model = models.SequenceClassifier.build("gru", 5, [6], 3, seed=1, dtype=np.float64)
    path = models.save(tmp_path / "m.npz", model, note="hello")
    loaded, meta = models.load(path)
    assert meta == {"note": "hello"} and loaded.pooling == model.pooling
    x = np.random.default_rng(0).standard_normal((2, 4, 5))
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))


def test_predict_prints_one_line_per_file(recognizer_file, tone_wav, capsys):
    assert digits.main(["predict", "--model", str(recognizer_file), str(tone_wav)]) == 0
    path, answer, prob, closest = capsys.readouterr().out.strip().split("\t")
    assert path == str(tone_wav) and answer in digits.LABELS and 0 < float(prob) <= 1 and closest == answer


def test_bad_files_are_reported_and_do_not_stop_the_others(recognizer_file, tone_wav, tmp_path, capsys):
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.float32), 8000)
    silent = audio.save(tmp_path / "silent.wav", np.zeros(4000, np.float32), 8000)
    stereo = tmp_path / "stereo.wav"
    sf.write(stereo, np.stack([audio.sine(440, 0.5, 8000)] * 2, axis=1) * 0.3, 8000)
    fast = tmp_path / "44k.wav"
    sf.write(fast, 0.3 * audio.sine(440, 0.5, 44100), 44100)
    files = [tmp_path / "missing.wav", text, empty, silent, tone_wav, stereo, fast]
    code = digits.main(["predict", "--model", str(recognizer_file), *map(str, files)])
    out, err = capsys.readouterr()
    assert code == 1
    recognized = [line.split("\t")[0] for line in out.strip().splitlines()]
    assert recognized == [str(tone_wav), str(stereo), str(fast)]
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert "missing.wav: no such file" in err
    assert "notes.wav: not a readable audio file" in err
    assert "empty.wav" in err and "no samples" in err
    assert "silent.wav: the recording is silent" in err
    assert "2 channels, mixed down to mono" in err
    assert "recorded at 44100 Hz, resampled to 8000 Hz" in err


def test_a_model_file_from_something_else(tmp_path, tone_wav, capsys):
    other = tmp_path / "weights.npz"
    np.savez(other, W=np.zeros(3))
    assert digits.main(["predict", "--model", str(other), str(tone_wav)]) == 2
    assert "not an rnnlib model" in capsys.readouterr().err
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert digits.main(["predict", "--model", str(broken), str(tone_wav)]) == 2
    assert "not an rnnlib model file" in capsys.readouterr().err
    plain = models.save(tmp_path / "plain.npz", models.SequenceClassifier.build("rnn", 60, [4], 10))
    assert digits.main(["predict", "--model", str(plain), str(tone_wav)]) == 2
    assert "no recognizer" in capsys.readouterr().err
    assert digits.main(["predict", "--model", str(tmp_path / "nope.npz"), str(tone_wav)]) == 2
    assert "No model file" in capsys.readouterr().err


def test_cli_usage_errors_exit_nonzero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        digits.main(["predict"])
    assert exit_info.value.code != 0


def test_train_and_evaluate_on_a_tiny_copy(fsdd_dir, tmp_path, capsys):
    """The CLI end to end on a small copy of FSDD (two digits' worth of files keeps it fast)."""
    import shutil

    small = tmp_path / "fsdd" / "recordings"
    small.mkdir(parents=True)
    for wav in sorted((fsdd_dir / "recordings").glob("*_theo_*.wav"))[:120]:
        shutil.copy(wav, small / wav.name)
    model = tmp_path / "m.npz"
    assert digits.main(["train", "--data", str(small.parent), "--out", str(model), "--epochs", "1", "--quiet"]) == 0
    assert "saved" in capsys.readouterr().out
    saved = Recognizer.load(model)       # the course's recipe: one loudness, only silence trimmed
    assert saved.loudness_db == -20.0 and saved.trim_db == 50.0 and saved.extra["recipe"]["average_last"] == 4
    assert digits.main(["evaluate", "--model", str(model), "--data", str(small.parent)]) == 0
    out = capsys.readouterr().out
    assert "official test split" in out and "theo" in out


def test_the_earlier_recipes_keep_the_settings_their_lessons_were_measured_with():
    """Lesson 09's tables and lesson 11's were measured with FIRST_RECIPE; lessons 07 and 11 start from PLAIN."""
    first = digits.FIRST_RECIPE
    assert (first.trim_db, first.loudness_db, first.room_share, first.epochs, first.average_last, first.patience) == \
        (30.0, None, 0.0, 15, None, 6)
    assert (first.time_masks, first.max_time_mask, first.freq_masks, first.max_freq_mask) == (1, 8, 1, 4)
    assert (first.unsure_share, first.novelty_all_layers) == (0.02, False)
    plain = digits.PLAIN
    assert (plain.pooling, plain.trim_db, plain.speeds, plain.test_speeds, plain.spec_masks, plain.epochs,
            plain.average_last, plain.patience) == ("last", None, (), (1.0,), False, 15, None, 6)


def test_test_speeds_average_the_probabilities_of_each_speed(recognizer_file, tone_wav):
    rec = Recognizer.load(recognizer_file)
    y, sr = audio.load(tone_wav)
    single = {}
    for f in (0.9, 1.0, 1.1):
        rec.test_speeds = (f,)
        single[f] = rec.predict_proba_audio([(y, sr)])[0]
    rec.test_speeds = (0.9, 1.0, 1.1)
    np.testing.assert_allclose(rec.predict_proba_audio([(y, sr)])[0], np.mean(list(single.values()), axis=0),
                               rtol=1e-5)
    saved = Recognizer.load(rec.save(recognizer_file.with_name("tta.npz")))
    assert saved.test_speeds == (0.9, 1.0, 1.1)
    with pytest.raises(ValueError, match="test_speeds"):
        Recognizer(rec.model, digits.LABELS, test_speeds=())


def test_an_ensemble_answers_with_its_members_mean_and_round_trips(tmp_path):
    members = [models.SequenceClassifier.build(kind, 5, [6, 4], 3, pooling="mean", seed=k, dtype=np.float64)
               for k, kind in enumerate(["lstm", "gru"])]
    ensemble = models.Ensemble(members)
    x = np.random.default_rng(0).standard_normal((3, 7, 5))
    np.testing.assert_allclose(ensemble.predict_proba(x),
                               (members[0].predict_proba(x) + members[1].predict_proba(x)) / 2)
    seqs = list(x)
    states, probs = inference.states_and_probabilities(ensemble, seqs)
    assert states.shape == (3, 8) and ensemble.n_params == members[0].n_params + members[1].n_params
    np.testing.assert_allclose(probs, ensemble.predict_proba(x), atol=1e-12)
    loaded, meta = models.load(models.save(tmp_path / "e.npz", ensemble, note="two"))
    assert isinstance(loaded, models.Ensemble) and meta == {"note": "two"}
    np.testing.assert_array_equal(loaded.predict_proba(x), ensemble.predict_proba(x))
    with pytest.raises(ValueError, match="same input size"):
        models.Ensemble([members[0], models.SequenceClassifier.build("lstm", 4, [6], 3)])
    with pytest.raises(ValueError, match="one or more"):
        models.Ensemble([])


def _saved_the_old_way(recognizer_file, name="old.npz", **old_settings):
    """The file as rnnlib wrote it before Pipeline (and before loudness): its settings beside the labels."""
    with np.load(recognizer_file, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    config = json.loads(str(arrays.pop("config")))
    meta = config["metadata"]["recognizer"]
    pipeline = meta.pop("pipeline")
    meta.update({"sample_rate": pipeline["sample_rate"], "trim_db": pipeline["trim_db"], "utterance_norm": False,
                 "min_level_db": pipeline["min_level_db"], "test_speeds": pipeline["test_speeds"],
                 "features": pipeline["feature_config"], **old_settings})
    old = recognizer_file.with_name(name)
    np.savez(old, config=np.array(json.dumps(config)), **arrays)
    return old


def test_a_recognizer_saved_before_loudness_existed_loads_and_hears_as_recorded(recognizer_file, tone_wav):
    rec = Recognizer.load(_saved_the_old_way(recognizer_file))
    assert rec.loudness_db is None
    y, sr = audio.load(tone_wav)
    louder = Recognizer.load(recognizer_file)
    louder.loudness_db = -20.0
    assert not np.allclose(rec.features(y, sr), louder.features(y, sr))
    np.testing.assert_allclose(louder.features(y, sr), louder.features(0.1 * y, sr), atol=1e-2)


def test_a_recognizer_saved_with_per_recording_normalization_says_to_train_again(recognizer_file):
    with pytest.raises(models.ModelFileError, match="per-recording normalization.*train it again"):
        Recognizer.load(_saved_the_old_way(recognizer_file, "normalized.npz", utterance_norm=True))


def test_a_recognizer_rejects_a_setting_it_does_not_have(recognizer_file):
    rec = Recognizer.load(recognizer_file)
    with pytest.raises(TypeError, match="no setting 'utterance_norm'"):
        Recognizer(rec.model, rec.labels, utterance_norm=True)


def test_with_model_keeps_the_pipeline_and_swaps_the_model(recognizer_file, tone_wav):
    rec = Recognizer.load(recognizer_file)
    rec.trim_db, rec.loudness_db = 30.0, None
    other = models.SequenceClassifier.build("lstm", 60, [8, 8], 10, pooling="mean", seed=5)
    swapped = rec.with_model(other)
    assert swapped.model is other and swapped.novelty is None
    assert (swapped.trim_db, swapped.loudness_db, swapped.scaler, swapped.test_speeds) == \
        (rec.trim_db, rec.loudness_db, rec.scaler, rec.test_speeds)
    y, sr = audio.load(tone_wav)
    np.testing.assert_array_equal(swapped.features(y, sr), rec.features(y, sr))
