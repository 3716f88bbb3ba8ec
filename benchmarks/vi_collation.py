"""Vietnamese alphabetical order in SQLite: ``ORDER BY name COLLATE vi`` (a Python callback per
comparison, core.collation) beside ``ORDER BY name`` (SQLite's byte order, in C) on the same
table, and the sort key alone in Python. A staff list sorts one page of a filtered list, so the
figure that matters is the time to sort a whole list of the size a ward or province holds.

Printed: ms to order ``--rows`` names each way and the ratio. Example::

    python benchmarks/vi_collation.py --rows 20000
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time

from phongdich.core.collation import install_sqlite_collation
from phongdich.lib.text import vi_sort_key

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Ánh",
    "Bảo",
    "Bình",
    "Châu",
    "Cường",
    "Dũng",
    "Đạt",
    "Giang",
    "Hà",
    "Hải",
    "Hằng",
    "Hùng",
    "Khánh",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Oanh",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Tuấn",
    "Uyên",
    "Vy",
    "Yến",
    "Ưng",
    "Ơn",
]


def names(n: int) -> list[str]:
    rng = random.Random(13)
    return [f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(n)]


def timed(conn: sqlite3.Connection, sql: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        conn.execute(sql).fetchall()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    conn = sqlite3.connect(":memory:")
    install_sqlite_collation(conn)
    conn.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
    data = names(args.rows)
    conn.executemany("INSERT INTO person (name) VALUES (?)", [(n,) for n in data])
    baseline = timed(conn, "SELECT id FROM person ORDER BY name", args.repeat)
    ours = timed(conn, "SELECT id FROM person ORDER BY name COLLATE vi", args.repeat)
    start = time.perf_counter()
    sorted(data, key=vi_sort_key)
    key_only = (time.perf_counter() - start) * 1000
    print(f"rows: {args.rows}")
    print(f"baseline ORDER BY name (byte order): {baseline:8.1f} ms")
    print(f"ours     ORDER BY name COLLATE vi  : {ours:8.1f} ms  ({ours / baseline:.1f}× baseline)")
    print(f"sort key alone in Python (sorted)  : {key_only:8.1f} ms")


if __name__ == "__main__":
    main()
