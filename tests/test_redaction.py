"""What a kept validation report may show: identifiers withheld, postcodes cut, no server path."""

from __future__ import annotations

from cscmonitor import redaction
from cscmonitor.returns.issues import Problem, Problems, Severity

FOLDERS = {"/srv/scratch/upload-1/files": "the upload", "/srv/scratch/upload-1": "the check"}


def problem(field: str, value: str, message: str = "bad", file: str = "header.csv") -> Problem:
    return Problem(file, "row 2", field, value, "RULE", Severity.ERROR, message)


def test_identifiers_are_withheld_postcodes_cut_and_paths_removed():
    problems = Problems()
    problems.extend(
        [
            # A child's id quoted as written (a repeated element): withheld by its field.
            problem("LAchildID", "1000935"),
            problem("CHILD", ""),  # a blank id says it is blank: nothing to withhold
            # A UPN typed into the date of birth: withheld by its shape, in value and message.
            problem("DOB", "Q371227804203", "DOB Q371227804203 is not a date"),
            # A full postcode in a code column: cut to its district, with or without the space.
            problem("ETHNIC", "DN4 8PP", "ETHNIC DN48PP is not a code"),
            # The scratch folder: cut from the file's name and named in the message.
            problem(
                "file",
                "",
                "nothing could be loaded from /srv/scratch/upload-1/files: "
                "/srv/scratch/upload-1/files/x.csv: not a return",
                file="/srv/scratch/upload-1/files/x.csv",
            ),
            problem("DECOM", "31/02/2015"),  # an ordinary bad date stays as it was
        ]
    )
    kept = redaction.problems(problems.table, FOLDERS).to_pylist()
    assert [(p["value"], p["message"], p["file"]) for p in kept] == [
        ("[withheld]", "bad", "header.csv"),
        ("", "bad", "header.csv"),
        ("[UPN withheld]", "DOB [UPN withheld] is not a date", "header.csv"),
        ("DN4 [withheld]", "ETHNIC DN4 [withheld] is not a code", "header.csv"),
        ("", "nothing could be loaded from the upload: x.csv: not a return", "x.csv"),
        ("31/02/2015", "bad", "header.csv"),
    ]
