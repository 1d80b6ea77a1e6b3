# Generator of tests/golden/icio_small/icio_small.csv (synthetic, integers).
C = ["AUS", "CHN", "USA"]
S = ["A01_02", "C26", "G45T47"]
K = ["HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"]
lab = [c + "_" + s for c in C for s in S]
n = len(lab)
Z = [[((i * 7 + j * 3) % 11) + (20 if i // 3 == j // 3 else 2) for j in range(n)] for i in range(n)]
F = [[0] * (len(C) * len(K)) for _ in range(n)]
for i in range(n):
    for d in range(len(C)):
        for k in range(len(K)):
            base = 60 if i // 3 == d else 8
            F[i][d * len(K) + k] = [base + (i + k) % 5, 2, base // 3, base // 2, 1, 0][k]
F[4][1 * len(K) + 4] = -3  # a negative change in inventories (CHN_C26 -> CHN_INVNT)
out = [sum(Z[i]) + sum(F[i]) for i in range(n)]
tls = [(j % 3) + 1 for j in range(n)]
va = [out[j] - sum(Z[i][j] for i in range(n)) - tls[j] for j in range(n)]
assert all(v > 0 for v in va)
fd_lab = [c + "_" + k for c in C for k in K]
rows = [",".join(["V1"] + lab + fd_lab + ["OUT"])]
for i in range(n):
    rows.append(",".join([lab[i]] + [str(v) for v in Z[i]] + [str(v) for v in F[i]] + [str(out[i])]))
blank = ["0"] * len(fd_lab)
rows.append(",".join(["TLS"] + [str(v) for v in tls] + blank + ["0"]))
rows.append(",".join(["VA"] + [str(v) for v in va] + blank + ["0"]))
rows.append(",".join(["OUT"] + [str(v) for v in out] + blank + ["0"]))
open("icio_small.csv", "w").write("\n".join(rows) + "\n")
print("out", out); print("va", va)
