import os

open("/tmp/cnndiagram-was-executed", "w").write("pwned")
os.system("touch /tmp/cnndiagram-was-executed")
from lasagne.layers import InputLayer, DenseLayer

l_in = InputLayer(shape=(None, 4))
l_out = DenseLayer(l_in, num_units=2)
raise SystemExit("never reached: the file is not run")
