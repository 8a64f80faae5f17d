"""autograd_tour.py — the PyTorch side of examples/autograd_tour.c: the same cells, printing the
same lines. `make parity` runs both and diffs them with object addresses masked.
Run with Debian's python3: /usr/bin/python3 tools/autograd_tour.py
"""
import torch

torch.manual_seed(0)

print("# In [3]: a tensor that tracks history")
x = torch.tensor([[1, 3], [2, 2]], requires_grad=True, dtype=torch.float32)
print(x)
print(x.size())

print("# In [10]: y = x + 2; z = 3 * (y ** 2)")
y = x + 2
z = 3 * (y ** 2)
print(y, z)

print("# In [11]: grad_fn of y, and of zz = y @ y (a matrix product)")
zz = y.mm(y)
print(y.grad_fn)
print(zz.grad_fn)

print("# In [12]: z = y * y (elementwise, not a dot product); out = z.mean()")
z = y * y
out = z.mean()
print(z, out)

print("# In [13]: requires_grad_ changes the flag in place")
a = torch.tensor([2, 2], dtype=torch.float32)
a = a * 3
print(a)
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b)
print(b.grad_fn)

print("# out.backward(): d(out)/dx")
out.backward()
print(x.grad)

print("# In [30]: y = 2 * x + x * x * 3")
x = torch.tensor([3], dtype=torch.float32, requires_grad=False)
x.requires_grad_(True)
y = 2 * x + x * x * 3
print(x, y)

print("# In [31]: y.backward(); x.grad = 2 + 6 * x")
y.backward()
print(x.grad)

print("# The notes' z.backward(1) on a vector: PyTorch needs a gradient of z's shape")
x = torch.tensor([3, 4, 6], dtype=torch.float32, requires_grad=True)
y = x * x * 3
try:
    y.backward()
except RuntimeError as e:
    print("RuntimeError:", e)

print("# In [34]: example 1, a vector-Jacobian product")
v = torch.tensor([1, 1, 2], dtype=torch.float)
y.backward(v)
print(x.grad)

print("# In [41]: example 2")
g = torch.tensor([[1, 1, 1], [2, 3, 4]], dtype=torch.float32)
g.add_(torch.ones_like(g))
g.requires_grad_(True)
print(g, g.requires_grad)
gg = g * g * g
ggg = gg + 3 * g
v = torch.tensor([[1, 1, 2], [2, 2, 2]], dtype=torch.float)
ggg.backward(v)
print(g.grad)

print("# In [49]: define-by-run control flow")
x = torch.randn(3, requires_grad=True)
print(x)
y = x * 2
count = 0
while y.data.norm() < 100:
    y = y * 2
    count += 1
print(y, count)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)

print("# In [53]: stop tracking with no_grad")
x = torch.randn(3, requires_grad=True)
print(x.requires_grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)
x = torch.randn(3, requires_grad=True)
x.requires_grad_(False)
print((x ** 2).requires_grad)

print("# In [55]: or with detach")
x.requires_grad_(True)
print(x.requires_grad)
y = x.detach()
print(y.requires_grad)
print(x.eq(y))
