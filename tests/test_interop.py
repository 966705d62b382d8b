import numpy as np

from rnnlib import interop
from rnnlib.layers import RNN, Dense


def test_round_trips():
    rnn = RNN(3, 4, seed=0)
    rnn.params["b_h"][:] = np.arange(4)
    back = interop.rnn_from_torch(interop.rnn_to_torch(rnn.params))
    for k in rnn.params:
        np.testing.assert_array_equal(back[k], rnn.params[k])
    dense = Dense(4, 2, seed=0)
    back = interop.dense_from_torch(interop.dense_to_torch(dense.params))
    for k in dense.params:
        np.testing.assert_array_equal(back[k], dense.params[k])


def test_missing_keys_are_named():
    import pytest

    with pytest.raises(ValueError, match="weight_ih_l0"):
        interop.rnn_from_torch({"weight": np.zeros((2, 2))})
