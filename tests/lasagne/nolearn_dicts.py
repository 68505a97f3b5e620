from lasagne.layers import InputLayer, Conv2DLayer, MaxPool2DLayer, DenseLayer, DropoutLayer
from lasagne.nonlinearities import softmax
from nolearn.lasagne import NeuralNet

net = NeuralNet(
    layers=[
        (InputLayer, {"shape": (None, 1, 28, 28)}),
        (Conv2DLayer, {"num_filters": 8, "filter_size": (3, 3), "pad": "same"}),
        (MaxPool2DLayer, {"pool_size": (2, 2)}),
        (DropoutLayer, {"p": 0.25}),
        (DenseLayer, {"num_units": 64}),
        (DenseLayer, {"num_units": 10, "nonlinearity": softmax, "name": "out"}),
    ],
    update_learning_rate=0.01,
)
