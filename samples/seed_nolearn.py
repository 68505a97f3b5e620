"""The network of the question cnndiagram grew from: a nolearn NeuralNet for MNIST.

    cnndiagram summary samples/seed_nolearn.py

reads it without running it (neither nolearn nor Lasagne needs to be installed) and
prints the 217,706 learnable parameters with the formula of every layer.
"""

import lasagne
from lasagne import layers
from lasagne.updates import nesterov_momentum
from nolearn.lasagne import NeuralNet

net1 = NeuralNet(
    layers=[
        ("input", layers.InputLayer),
        ("conv2d1", layers.Conv2DLayer),
        ("maxpool1", layers.MaxPool2DLayer),
        ("conv2d2", layers.Conv2DLayer),
        ("maxpool2", layers.MaxPool2DLayer),
        ("dense", layers.DenseLayer),
        ("output", layers.DenseLayer),
    ],
    # input layer
    input_shape=(None, 1, 28, 28),
    # layer conv2d1
    conv2d1_num_filters=32,
    conv2d1_filter_size=(5, 5),
    conv2d1_nonlinearity=lasagne.nonlinearities.rectify,
    # layer maxpool1
    maxpool1_pool_size=(2, 2),
    # layer conv2d2
    conv2d2_num_filters=32,
    conv2d2_filter_size=(3, 3),
    conv2d2_nonlinearity=lasagne.nonlinearities.rectify,
    # layer maxpool2
    maxpool2_pool_size=(2, 2),
    # fully connected layer
    dense_num_units=256,
    dense_nonlinearity=lasagne.nonlinearities.rectify,
    # output layer
    output_nonlinearity=lasagne.nonlinearities.softmax,
    output_num_units=10,
    # optimization method params
    update=nesterov_momentum,
    update_learning_rate=0.01,
    update_momentum=0.9,
    max_epochs=10,
    verbose=1,
)
