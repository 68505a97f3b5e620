# A VGG-style network in the Lasagne Recipes' dictionary style.
from lasagne.layers import InputLayer, DenseLayer, NonlinearityLayer, DropoutLayer
from lasagne.layers import Pool2DLayer as PoolLayer
from lasagne.layers.dnn import Conv2DDNNLayer as ConvLayer
from lasagne.nonlinearities import softmax

WIDTH = 16


def build_model():
    net = {}
    net["input"] = InputLayer((None, 3, 32, 32))
    net["conv1_1"] = ConvLayer(net["input"], WIDTH, 3, pad=1, flip_filters=False)
    net["conv1_2"] = ConvLayer(net["conv1_1"], WIDTH, 3, pad=1, flip_filters=False)
    net["pool1"] = PoolLayer(net["conv1_2"], 2)
    net["conv2_1"] = ConvLayer(net["pool1"], 2 * WIDTH, 3, pad="same", flip_filters=False)
    net["pool2"] = PoolLayer(net["conv2_1"], 3, stride=2, ignore_border=False)
    net["fc6"] = DenseLayer(net["pool2"], num_units=128)
    net["fc6_dropout"] = DropoutLayer(net["fc6"], p=0.5)
    net["fc7"] = DenseLayer(net["fc6_dropout"], num_units=10, nonlinearity=None)
    net["prob"] = NonlinearityLayer(net["fc7"], softmax)
    return net
