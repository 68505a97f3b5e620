from lasagne.layers import InputLayer, DenseLayer

l = InputLayer(shape=(None, 10))
for width in (64, 32, 16):
    l = DenseLayer(l, num_units=width)
