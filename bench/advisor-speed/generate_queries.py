#!/usr/bin/env python3
"""Print the workload of the advisor speed benchmark as SQL, one statement
a line.

    generate_queries.py --queries N [--calls K] [--tables T] [--seed S]

The output has N structurally distinct SELECT statements over the tables
speed.t01 .. speed.tT of schema.sql, each repeated K times with new constants.
Constants do not change a statement's query identifier, so the N statements
have N distinct identifiers: they differ in table, filter columns,
operators, ORDER BY, LIMIT or select list.  Statement i reads table
i mod T, so every table gets N/T statements, and the first N statements of a
larger N are the same as those of a smaller one.

Most filters select a few percent of the rows or fewer, so most statements
would benefit from an index.  Two would not: the boolean is_active keeps
half the rows, and no btree index can serve the unanchored LIKE on note.
"""

import argparse
import itertools
import random
import sys

# Filter templates per column.  Each template is a function of a random
# generator that returns the predicate text with fresh constants.
FILTERS = {
    "customer_id": [
        ("eq", lambda r: f"customer_id = {r.randint(1, 5000)}"),
        ("in", lambda r: "customer_id IN ({}, {}, {})".format(
            *(r.randint(1, 5000) for _ in range(3)))),
    ],
    "region_id": [
        ("eq", lambda r: f"region_id = {r.randint(1, 50)}"),
        ("lt", lambda r: f"region_id < {r.randint(2, 3)}"),
    ],
    "category": [
        ("eq", lambda r: f"category = 'cat_{r.randint(0, 199):03d}'"),
        ("prefix", lambda r: f"category LIKE 'cat_{r.randint(0, 19):02d}%'"),
    ],
    "amount": [
        ("gt", lambda r: f"amount > {r.randint(985, 995)}"),
        ("between", lambda r: "amount BETWEEN {0} AND {1}".format(
            *(lambda a: (a, a + 10))(r.randint(0, 990)))),
    ],
    "quantity": [
        ("eq", lambda r: f"quantity = {r.randint(1, 100)}"),
        ("ge", lambda r: f"quantity >= {r.randint(98, 100)}"),
    ],
    "is_active": [
        ("eq", lambda r: f"is_active = {r.choice(['true', 'false'])}"),
    ],
    "created_at": [
        ("gt", lambda r: f"created_at > '2024-12-{r.randint(20, 28)}'"),
        ("between", lambda r: "created_at BETWEEN '2024-{0:02d}-01' AND '2024-{0:02d}-03'".format(
            r.randint(1, 12))),
    ],
    "due_date": [
        ("eq", lambda r: f"due_date = '2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}'"),
        ("between", lambda r: "due_date BETWEEN '2024-{0:02d}-10' AND '2024-{0:02d}-15'".format(
            r.randint(1, 12))),
    ],
    "score": [
        ("lt", lambda r: f"score < {r.choice(['0.005', '0.01', '0.02'])}"),
        ("gt", lambda r: f"score > {r.choice(['0.98', '0.99', '0.995'])}"),
    ],
    "note": [
        ("contains", lambda r: f"note LIKE '%{r.randrange(16 ** 3):03x}%'"),
    ],
}

PREDICATES = [(column, name, make)
              for column, templates in FILTERS.items()
              for name, make in templates]

# ORDER BY and LIMIT tails.  A LIMIT constant becomes a parameter too.
TAILS = [
    ("none", lambda r: ""),
    ("created_desc", lambda r: f" ORDER BY created_at DESC LIMIT {r.choice([10, 20, 50])}"),
    ("score", lambda r: f" ORDER BY score LIMIT {r.choice([5, 10])}"),
    ("id_desc", lambda r: f" ORDER BY id DESC LIMIT {r.choice([10, 25])}"),
    ("limit", lambda r: f" LIMIT {r.choice([100, 200])}"),
]

SELECT_LISTS = ["*", "id, customer_id, amount, created_at"]


def shapes_of_table(table_number, seed):
    """Return every statement shape of one table, in a shuffled order that
    depends only on the table number and the seed."""
    shapes = []
    for count in (0, 1, 2):
        for predicates in itertools.combinations(PREDICATES, count):
            columns = [p[0] for p in predicates]
            if len(set(columns)) != len(columns):
                continue
            for tail in TAILS:
                # A statement without a filter is only worth indexing when
                # it sorts and limits.
                if count == 0 and tail[0] in ("none", "limit"):
                    continue
                for select_list in SELECT_LISTS:
                    shapes.append((predicates, tail, select_list))
    random.Random(seed * 1000 + table_number).shuffle(shapes)
    return shapes


def render(table_number, shape, rng):
    predicates, tail, select_list = shape
    sql = f"SELECT {select_list} FROM speed.t{table_number:02d}"
    if predicates:
        sql += " WHERE " + " AND ".join(make(rng) for _, _, make in predicates)
    return sql + tail[1](rng) + ";"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, required=True,
                        help="number of distinct statements")
    parser.add_argument("--calls", type=int, default=3,
                        help="executions of each statement (default 3)")
    parser.add_argument("--tables", type=int, default=50,
                        help="number of tables in schema.sql (default 50)")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the shapes and constants (default 1)")
    args = parser.parse_args()
    if args.queries < 1 or args.calls < 1 or not 1 <= args.tables <= 99:
        parser.error("--queries and --calls must be positive, --tables 1 to 99")

    shapes = {}
    per_table = -(-args.queries // args.tables)
    for t in range(1, min(args.tables, args.queries) + 1):
        shapes[t] = shapes_of_table(t, args.seed)
        if per_table > len(shapes[t]):
            parser.error(f"--queries {args.queries} needs {per_table} shapes per table,"
                         f" but a table has only {len(shapes[t])}")

    rng = random.Random(args.seed)
    out = sys.stdout
    for _ in range(args.calls):
        for i in range(args.queries):
            table_number = i % args.tables + 1
            shape = shapes[table_number][i // args.tables]
            out.write(render(table_number, shape, rng) + "\n")


if __name__ == "__main__":
    main()
