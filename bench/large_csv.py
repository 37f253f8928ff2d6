"""A large SSDA903 episodes CSV with problems in it, written fast by DuckDB.

    python bench/large_csv.py 10000000 /tmp/big/episodes.csv

Children have four episodes each, chained (each ends X1 the day the next starts, the last
open), in the 2015-16 collection year's span. Problems are planted at fixed strides, so a
test can count them by hand: every 97th row has a DECOM that is not a date (31/02/2015),
every 89th a PLACE that is no code (ZZ), every 1,000th (from row 7) no CHILD. There is no
header file, so every episode's child lacks a Header row (CLA_EPISODE_WITHOUT_HEADER): the
file has at least as many problems as rows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

BAD_DATE_EVERY = 97
BAD_PLACE_EVERY = 89
NO_CHILD_EVERY = 1000
NO_CHILD_AT = 7


def write_episodes(path: Path, rows: int) -> Path:
    """`rows` episodes (and the CSV header) written to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute(
            f"""
            COPY (
              SELECT
                CASE WHEN i % {NO_CHILD_EVERY} = {NO_CHILD_AT} THEN ''
                     ELSE 'C' || lpad(CAST(i // 4 AS VARCHAR), 8, '0') END AS CHILD,
                CASE WHEN i % {BAD_DATE_EVERY} = 0 THEN '31/02/2015'
                     ELSE strftime(DATE '2015-04-01' + CAST(60 * (i % 4) AS INTEGER),
                                   '%d/%m/%Y') END AS DECOM,
                CASE WHEN i % 4 = 0 THEN 'S' ELSE 'P' END AS RNE,
                'C2' AS LS,
                'N1' AS CIN,
                CASE WHEN i % {BAD_PLACE_EVERY} = 0 THEN 'ZZ' ELSE 'U1' END AS PLACE,
                'PR1' AS PLACE_PROVIDER,
                CASE WHEN i % 4 = 3 THEN ''
                     ELSE strftime(DATE '2015-04-01' + CAST(60 * (i % 4 + 1) AS INTEGER),
                                   '%d/%m/%Y') END AS DEC,
                CASE WHEN i % 4 = 3 THEN '' ELSE 'X1' END AS REC,
                CASE WHEN i % 4 = 3 THEN '' ELSE 'CARPL' END AS REASON_PLACE_CHANGE,
                'DN1 1AA' AS HOME_POST,
                'DN2 2BB' AS PL_POST,
                '' AS URN
              FROM range({int(rows)}) t(i)
              ORDER BY i
            ) TO '{str(path).replace("'", "''")}' (HEADER, DELIMITER ',')
            """
        )
    finally:
        con.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    write_episodes(args.path, args.rows)
    print(f"{args.path}: {args.rows:,} rows, {args.path.stat().st_size / 2**20:,.0f} MB")


if __name__ == "__main__":
    main()
