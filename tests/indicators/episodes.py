"""Tables holding only a hand-made 903 episodes table, for the rules that read no other."""

from __future__ import annotations

import ibis
import pandas as pd

DATES = ("decom", "dec")


class EpisodesOnly:
    """`Tables` whose `cla_episodes` is `frame`: DECOM and DEC as dates (ISO text or dates),
    every other column text; LA 999 and LS C2 unless the frame says otherwise."""

    def __init__(self, frame: pd.DataFrame) -> None:
        frame = frame.assign(
            **{c: pd.to_datetime(frame[c]).dt.date for c in DATES if c in frame},
            **{c: v for c, v in (("la_code", "999"), ("ls", "C2")) if c not in frame},
        )
        schema = {c: "date" if c in DATES else "string" for c in frame.columns}
        self._episodes = ibis.memtable(frame, schema=schema)

    def table(self, name: str) -> ibis.Table:
        assert name == "cla_episodes"
        return self._episodes
