import numpy as np
from lasagne.layers import InputLayer, DenseLayer

X = np.load("data.npy")
l_in = InputLayer(shape=(None, X.shape[1]))
l_hidden = DenseLayer(l_in, num_units=100)
l_out = DenseLayer(l_hidden, num_units=2)
