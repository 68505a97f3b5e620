import lasagne
from lasagne.layers import (
    InputLayer,
    Conv2DLayer,
    ElemwiseSumLayer,
    NonlinearityLayer,
    GlobalPoolLayer,
    DenseLayer,
    ConcatLayer,
    batch_norm,
)
from lasagne.nonlinearities import rectify, softmax

l_in = InputLayer(shape=(None, 3, 32, 32))
l = batch_norm(Conv2DLayer(l_in, num_filters=16, filter_size=3, pad=1, name="stem"))
branch = batch_norm(Conv2DLayer(l, 16, 3, pad=1, name="a"))
branch = batch_norm(Conv2DLayer(branch, 16, 3, pad=1, nonlinearity=None, name="b"))
l = NonlinearityLayer(ElemwiseSumLayer([branch, l]), nonlinearity=rectify)
side = Conv2DLayer(l, 8, 1)
l = ConcatLayer([l, side])
l = GlobalPoolLayer(l)
l_out = DenseLayer(l, num_units=10, nonlinearity=softmax)
